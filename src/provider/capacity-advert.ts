import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import { signPayload } from '../net/signing.js'
import type { Capacity } from '../protocols/capacity-messages.js'
import { DOMAINS, TOPICS } from '../protocols/ids.js'
import type { ProviderTerms, WorkGate } from './types.js'

/** The DHT key under which providers of a job kind announce themselves (content routing `provide`). */
export async function kindCid(kind: string): Promise<CID> {
  const digest = await sha256.digest(new TextEncoder().encode(`mutirao/provider/${kind}`))
  return CID.createV1(0x55, digest)
}

/** Components of the advertiser. */
export interface CapacityAdvertComponents {
  host: Host
  identity: Identity
  terms: ProviderTerms
  gate: WorkGate
  hardware: Capacity['hardware']
  log: Logger
  intervalMs?: number
}

/** Announce capacity on gossip every `intervalMs` and as a DHT provider record; returns a stop function. */
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
    await c.host.services.pubsub.publish(TOPICS.capacity, new TextEncoder().encode(JSON.stringify(advert)))
  }
  const tick = () =>
    void publish().catch((err) => c.log.debug({ err: err.message }, 'capacity publish failed'))
  const timer = setInterval(tick, c.intervalMs ?? 5000)
  setTimeout(tick, 300)
  const provideTimer = setTimeout(() => {
    for (const kind of c.terms.kinds)
      void kindCid(kind)
        .then((cid) => c.host.contentRouting.provide(cid, { signal: AbortSignal.timeout(30_000) }))
        .catch((err) => c.log.debug({ err: err.message, kind }, 'DHT provide failed'))
  }, 1000)
  return () => {
    clearInterval(timer)
    clearTimeout(provideTimer)
  }
}
