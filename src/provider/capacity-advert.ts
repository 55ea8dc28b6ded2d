import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { z } from 'zod'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import { Amount, JobKind, PeerIdString } from '../market/messages.js'
import type { Host } from '../net/host.js'
import { signPayload } from '../net/signing.js'
import { DOMAINS, TOPICS } from '../protocols/ids.js'
import type { ProviderTerms, WorkGate } from './types.js'

/** A provider's periodic, signed advertisement of capacity and price. */
export const CapacitySchema = z.object({
  v: z.literal(1),
  provider: PeerIdString,
  addrs: z.array(z.string().max(300)).max(16),
  kinds: z.array(JobKind).max(8),
  threads: z.number().int().positive().max(4096),
  pricePerUnit: Amount,
  accepting: z.boolean(),
  hardware: z.object({
    cpus: z.number().int(),
    memoryBytes: z.number(),
    gpus: z.array(z.string().max(200)).max(16),
    /** Where its ONNX tasks run (absent in adverts of nodes older than GPU execution: `cpu`). */
    executionProvider: z.enum(['cpu', 'webgpu', 'wasm']).optional(),
  }),
  at: z.number().int(),
  signature: z.string().max(256),
})
export type Capacity = z.infer<typeof CapacitySchema>

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
