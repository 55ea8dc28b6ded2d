import { plainTcp } from './addresses.js'

/** Most distinct observed addresses remembered, and most peers counted per address. */
const MAX_ADDRESSES = 64
const MAX_WITNESSES = 8

/**
 * The addresses other peers saw this node's direct outgoing connections come from (identify's observed
 * address), as hole punching needs them: public TCP addresses only. An address counts as this node's
 * when its port is the fixed port dials leave from (a NAT that keeps ports maps it to itself) or when
 * two peers saw the same one (a NAT that maps one local port to one external port, whatever it is);
 * the single sightings of connections that left from an ephemeral port are noise.
 */
export class ObservedAddresses {
  /** address → peers that saw it; insertion order = first seen. */
  readonly #seen = new Map<string, Set<string>>()

  constructor(private readonly dialPort: number | undefined) {}

  /** Record that `peer` saw one of our direct outgoing connections come from `addr`. */
  add(addr: string, peer: string): void {
    if (plainTcp(addr)?.scope !== 'public') return
    const clean = addr.replace(/\/p2p\/[^/]+$/, '')
    let witnesses = this.#seen.get(clean)
    if (!witnesses) {
      if (this.#seen.size >= MAX_ADDRESSES) this.#seen.delete(this.#seen.keys().next().value!)
      witnesses = new Set()
    } else {
      this.#seen.delete(clean) // re-inserted below: the newest sighting goes last
    }
    if (witnesses.size < MAX_WITNESSES) witnesses.add(peer)
    this.#seen.set(clean, witnesses)
  }

  /** Our likely external addresses, most recently seen first (at most `max`). */
  addresses(max = 4): string[] {
    return [...this.#seen]
      .filter(([addr, witnesses]) => plainTcp(addr)?.port === this.dialPort || witnesses.size >= 2)
      .map(([addr]) => addr)
      .reverse()
      .slice(0, max)
  }
}
