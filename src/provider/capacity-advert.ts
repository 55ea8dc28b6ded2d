import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import { kindCid } from '../market/kind-providers.js'
import type { Host } from '../net/host.js'
import { signPayload } from '../net/signing.js'
import type { Capacity } from '../protocols/capacity-messages.js'
import { DOMAINS } from '../protocols/ids.js'
import type { ProviderTerms, WorkGate } from './types.js'

/** Components of the advertiser. */
export interface CapacityAdvertComponents {
  host: Host
  identity: Identity
  terms: ProviderTerms
  gate: WorkGate
  hardware: Capacity['hardware']
  log: Logger
  /** Period of the adverts once started (default 15 s). */
  intervalMs?: number
}

/** The adverts right after start (peers are still joining the topic's mesh), then every `intervalMs`. */
const EARLY_MS = [300, 2000, 5000]

/**
 * Announce capacity on gossip — soon after start, then every `intervalMs`, and within a second of a change
 * of what it says (taking work or not, price, threads) — and as a DHT provider record per job kind. Every
 * node handles every advert, so the period sets part of the network's idle load (measured at 50 providers on
 * this machine: 3.9 % of a core per node at 5 s, 3.5 % at 15 s; see BENCHMARKS.md). Returns a stop function.
 */
export function startCapacityAdvert(c: CapacityAdvertComponents): () => void {
  const publish = async () => {
    const unsigned = {
      v: 1 as const,
      provider: c.identity.peerId,
      addrs: c.host.getMultiaddrs().map(String).slice(0, 16),
      kinds: [...c.terms.kinds],
      threads: c.terms.threads,
      pricePerUnit: c.terms.pricePerUnit.toString(),
      accepting: c.gate.accepting(),
      hardware: c.hardware,
      at: Date.now(),
    }
    const advert = {
      ...unsigned,
      signature: await signPayload(c.identity.peerKey, DOMAINS.capacity, unsigned),
    }
    await c.host.services.pubsub.publish(
      c.host.services.wire.topics.capacity,
      new TextEncoder().encode(JSON.stringify(advert)),
    )
  }
  const said = () => `${c.gate.accepting()}|${c.terms.pricePerUnit}|${c.terms.threads}`
  let last = ''
  let lastAt = 0
  const tick = () => {
    last = said()
    lastAt = Date.now()
    void publish().catch((err) => c.log.debug({ err: err.message }, 'capacity publish failed'))
  }
  const early = EARLY_MS.map((ms) => setTimeout(tick, ms))
  const timer = setInterval(() => {
    if (said() !== last || Date.now() - lastAt >= (c.intervalMs ?? 15_000)) tick()
  }, 1000)
  const provideTimer = setTimeout(() => {
    for (const kind of c.terms.kinds)
      void kindCid(kind)
        .then((cid) => c.host.contentRouting.provide(cid, { signal: AbortSignal.timeout(30_000) }))
        .catch((err) => c.log.debug({ err: err.message, kind }, 'DHT provide failed'))
  }, 1000)
  return () => {
    clearInterval(timer)
    for (const t of early) clearTimeout(t)
    clearTimeout(provideTimer)
  }
}
