/** Versioned libp2p protocol ids of the Mutirão network. A new incompatible version gets a new id. */
export const PROTOCOLS = {
  /** Provider → requester: a signed offer answering a demand. */
  offer: '/mutirao/offer/1',
  /** Provider → requester: a signed decline of a demand, with its reason (rate-limited). */
  decline: '/mutirao/decline/1',
  /** Requester → provider: an agreement to countersign. */
  agree: '/mutirao/agree/1',
  /** Requester → provider: one long-lived stream of pipelined tasks and results per agreement. */
  task: '/mutirao/task/1',
  /** Requester → provider: ask for a signed release of an escrow job, to close it and refund the rest. */
  release: '/mutirao/release/1',
  /** Requester → provider: a streaming inference session (one sample in, its outputs out, in order). */
  stream: '/mutirao/stream/1',
  /** Any → any: fetch a content-addressed blob (model, input set) by sha256. */
  blob: '/mutirao/blob/1',
} as const

/** Gossip topics. */
export const TOPICS = {
  /** Requesters announce demands here. */
  demand: 'mutirao/demand/1',
  /** Providers announce their capacity and price here, periodically. */
  capacity: 'mutirao/capacity/1',
  /** Requesters share signed attestations of their own experience with providers here. */
  reputation: 'mutirao/reputation/1',
} as const

/** Signature domains, so a signature for one message kind can never be replayed as another. */
export const DOMAINS = {
  demand: 'mutirao:demand:1',
  offer: 'mutirao:offer:1',
  decline: 'mutirao:decline:1',
  agreement: 'mutirao:agreement:1',
  result: 'mutirao:result:1',
  capacity: 'mutirao:capacity:1',
} as const
