import { type GossipsubOpts, StrictNoSign } from '@libp2p/gossipsub'

/**
 * Gossipsub settings every Mutirão host shares (nodes and browser tabs; peers must agree on the signature
 * policy). Messages carry no gossip-level signature, sequence number or author (`StrictNoSign`) and are
 * named by the SHA-256 of their bytes, as Ethereum's consensus gossip does: every payload on the market's
 * topics is already signed by its author (adverts, demands, attestations), so a second Ed25519 signature
 * per message bought nothing. It cost much: gossipsub checks that signature on every copy a node receives,
 * before it looks the message up as already seen — with a mesh of 6–12 peers, several checks per message
 * at every node, measured as 11 % of an idle provider's CPU in a 20-provider network (BENCHMARKS.md, Scale).
 */
export const GOSSIP_OPTIONS = {
  allowPublishToZeroTopicPeers: true,
  emitSelf: false,
  heartbeatInterval: 700,
  globalSignaturePolicy: StrictNoSign,
} as const satisfies Partial<GossipsubOpts>
