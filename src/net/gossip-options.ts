import { type GossipsubOpts, StrictNoSign } from '@libp2p/gossipsub'

/**
 * Gossipsub settings every Mutirão host shares (nodes and browser tabs; peers must agree on the signature
 * policy). Messages carry no gossip-level signature, sequence number or author (`StrictNoSign`) and are
 * named by the SHA-256 of their bytes, as Ethereum's consensus gossip does: every payload on the market's
 * topics is already signed by its author (adverts, demands, attestations), so a second Ed25519 signature
 * per message bought nothing. It cost: gossipsub checks that signature on every copy a node receives,
 * before it looks the message up as already seen — several checks per message at every node. Measured
 * (BENCHMARKS.md, "Gossip without gossip-level signatures"): gossipsub's message validation 15.6 → 7.8 % of
 * idle providers' CPU in a profile, idle CPU itself unchanged within noise, and the demand reach within 1 s
 * at 51 processes 0.58–0.87 → 0.95–0.98, the gain being in the busy minutes when messages multiply.
 */
export const GOSSIP_OPTIONS = {
  allowPublishToZeroTopicPeers: true,
  emitSelf: false,
  heartbeatInterval: 700,
  globalSignaturePolicy: StrictNoSign,
} as const satisfies Partial<GossipsubOpts>
