import { InvalidInputError } from '../errors.js'

/** The network of `mutirao demo`, the tests and every node that joined no other (`mutirao init --network`). */
export const LOCAL_NETWORK = 'local'

/** What a network's name may be: it becomes a path segment of every protocol id and gossip topic. */
export const NETWORK_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/

/** The Mutirão protocols, by name; each is versioned, and a new incompatible version gets a new id. */
const PROTOCOL_NAMES = {
  /** Provider → requester: a signed offer answering a demand. */
  offer: 'offer/1',
  /** Provider → requester: a signed decline of a demand, with its reason (rate-limited). */
  decline: 'decline/1',
  /** Requester → provider: an agreement to countersign. */
  agree: 'agree/1',
  /** Requester → provider: one long-lived stream of pipelined tasks and results per agreement. */
  task: 'task/1',
  /** Requester → provider: ask for a signed release of an escrow job, to close it and refund the rest. */
  release: 'release/1',
  /** Requester → provider: a streaming inference session (one sample in, its outputs out, in order). */
  stream: 'stream/1',
  /** Any → any: fetch a content-addressed blob (model, input set) by sha256. */
  blob: 'blob/1',
  /** Data holder → coordinator: one long-lived federated-learning stream per holder. */
  fl: 'fl/1',
  /** The network's own Kademlia DHT (kept apart from the public IPFS DHT and from other networks'). */
  dht: 'kad/1.0.0',
  /** The LAN DHT beside it (private addresses only; off loopback). */
  lanDht: 'lan/kad/1.0.0',
} as const

/** Gossip topics, by name. */
const TOPIC_NAMES = {
  /** Requesters announce demands here. */
  demand: 'demand/2',
  /** Providers announce their capacity and price here, periodically. */
  capacity: 'capacity/2',
  /** Requesters share signed attestations of their own experience with providers here. */
  reputation: 'reputation/2',
} as const

/**
 * The ids one network speaks: every protocol id is `/mutirao/<network>/<name>/<version>` and every topic
 * `mutirao/<network>/<name>/<version>`, so the nodes of two networks that meet never exchange demands,
 * offers, tasks or gossip — they can only see that the other speaks another network ({@link networkOfProtocol}).
 */
export interface Wire {
  network: string
  protocols: { readonly [K in keyof typeof PROTOCOL_NAMES]: string }
  topics: { readonly [K in keyof typeof TOPIC_NAMES]: string }
}

const prefixed = <K extends string>(names: Record<K, string>, prefix: string) =>
  Object.fromEntries(Object.entries(names).map(([k, v]) => [k, `${prefix}${v}`])) as Record<K, string>

/** The protocol ids and topics of `network` (a name as {@link NETWORK_NAME} allows). */
export function wireOf(network: string = LOCAL_NETWORK): Wire {
  if (!NETWORK_NAME.test(network))
    throw new InvalidInputError(
      `"${network}" is not a network name: lower-case letters, digits and dashes, up to 40`,
    )
  return Object.freeze({
    network,
    protocols: Object.freeze(prefixed(PROTOCOL_NAMES, `/mutirao/${network}/`)),
    topics: Object.freeze(prefixed(TOPIC_NAMES, `mutirao/${network}/`)),
  })
}

const KNOWN = new Set<string>(Object.values(PROTOCOL_NAMES))

/** The network a Mutirão protocol id belongs to (`/mutirao/<network>/task/1` → `<network>`); else undefined. */
export function networkOfProtocol(protocol: string): string | undefined {
  const [empty, root, network = '', ...name] = protocol.split('/')
  return empty === '' && root === 'mutirao' && NETWORK_NAME.test(network) && KNOWN.has(name.join('/'))
    ? network
    : undefined
}
