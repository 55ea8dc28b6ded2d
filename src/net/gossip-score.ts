import type { PeerScoreParams } from '@libp2p/gossipsub/score'

/**
 * Gossipsub's IP-colocation penalty, set for the people Mutirão is for. Its default (more than 10 peers from
 * one IP address: −5 × surplus², graylisted past −80 at 15 peers) silences every message of a hospital's or
 * a school's machines behind one office NAT, of browser tabs behind one router, and of any local test
 * network: measured, a requester with 20 providers on 127.0.0.1 heard none of their adverts. Here the cliff
 * is at 64 peers per address with weight −1 (graylisted from 73), loopback exempt; a flood of identities from
 * one address is still cut off, and stake, signatures and verification remain the defences against Sybils.
 */
export const GOSSIP_SCORE_PARAMS: Partial<PeerScoreParams> = {
  IPColocationFactorThreshold: 64,
  IPColocationFactorWeight: -1,
  IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
}
