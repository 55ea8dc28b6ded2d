import type { IdentifyResult, Libp2pEvents, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import { networkOfProtocol } from './wire.js'

/** Connected peers that speak another Mutirão network, counted per network. */
export interface OtherNetwork {
  network: string
  peers: number
}

/** Most peers remembered: a node connects to at most a few hundred at a time. */
const MAX_PEERS = 1024

/**
 * The network a peer speaks, from the protocols identify reported: undefined when it speaks `own` (or no
 * Mutirão protocol at all: a plain libp2p peer); else the first other network named.
 */
export function otherNetworkOf(own: string, protocols: readonly string[]): string | undefined {
  let other: string | undefined
  for (const p of protocols) {
    const network = networkOfProtocol(p)
    if (network === own) return undefined
    other ??= network
  }
  return other
}

/** The sentence that says why peers on other networks never trade with this node, or undefined. */
export function otherNetworksSentence(own: string, others: readonly OtherNetwork[]): string | undefined {
  if (others.length === 0) return undefined
  const list = others.map((o) => `${o.peers} on '${o.network}'`).join(', ')
  const total = others.reduce((n, o) => n + o.peers, 0)
  return `${total} connected peer(s) speak another network (${list}), not '${own}': they never see this node's demands or offers; join theirs with \`mutirao init --network <profile>\``
}

/**
 * A libp2p service that keeps which connected peers speak another Mutirão network: two networks' nodes may
 * connect (a shared bootstrap, mDNS) but their protocol ids and topics differ, so they never trade. This is
 * what lets `status`, a job without providers and `mutirao stream` say so instead of finding nobody.
 */
export class Neighbours implements Startable {
  readonly #byPeer = new Map<string, string>()

  constructor(
    private readonly own: string,
    private readonly events: TypedEventTarget<Libp2pEvents>,
  ) {}

  readonly #onIdentify = (evt: CustomEvent<IdentifyResult>) => {
    const peer = evt.detail.peerId.toString()
    const network = otherNetworkOf(this.own, evt.detail.protocols)
    this.#byPeer.delete(peer)
    if (!network) return
    if (this.#byPeer.size >= MAX_PEERS) this.#byPeer.delete(this.#byPeer.keys().next().value!)
    this.#byPeer.set(peer, network)
  }

  readonly #onDisconnect = (evt: CustomEvent<PeerId>) => {
    this.#byPeer.delete(evt.detail.toString())
  }

  start(): void {
    this.events.addEventListener('peer:identify', this.#onIdentify)
    this.events.addEventListener('peer:disconnect', this.#onDisconnect)
  }

  stop(): void {
    this.events.removeEventListener('peer:identify', this.#onIdentify)
    this.events.removeEventListener('peer:disconnect', this.#onDisconnect)
    this.#byPeer.clear()
  }

  /** Connected peers on other networks, by network, most peers first. */
  others(): OtherNetwork[] {
    const counts = new Map<string, number>()
    for (const network of this.#byPeer.values()) counts.set(network, (counts.get(network) ?? 0) + 1)
    return [...counts]
      .map(([network, peers]) => ({ network, peers }))
      .sort((a, b) => b.peers - a.peers || (a.network < b.network ? -1 : 1))
  }

  /** Why peers on other networks never trade with this node, in one sentence; undefined when none is met. */
  explain(): string | undefined {
    return otherNetworksSentence(this.own, this.others())
  }
}

/** The libp2p service factory of {@link Neighbours} for a node of `network` (`services: { neighbours }`). */
export function neighbours(network: string) {
  return (components: { events: TypedEventTarget<Libp2pEvents> }) =>
    new Neighbours(network, components.events)
}
