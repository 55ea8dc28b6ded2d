import { TopicValidatorResult } from '@libp2p/gossipsub'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import { verifyPayload } from '../net/signing.js'
import { type Capacity, CapacitySchema } from '../protocols/capacity-messages.js'
import { DOMAINS } from '../protocols/ids.js'
import { signedPart } from '../protocols/market-messages.js'

const MAX_ADVERT_BYTES = 16 * 1024
/** Three advert periods (src/provider/capacity-advert.ts): one or two lost adverts do not drop a provider. */
const STALE_MS = 45_000
const decoder = new TextDecoder('utf-8', { fatal: true })

/** A capacity advert from gossip bytes: size, schema and the provider's signature checked. */
export async function readAdvert(data: Uint8Array): Promise<Capacity> {
  if (data.length > MAX_ADVERT_BYTES)
    throw new Error(`advert of ${data.length} bytes (limit ${MAX_ADVERT_BYTES})`)
  const advert = CapacitySchema.parse(JSON.parse(decoder.decode(data)))
  await verifyPayload(advert.provider, DOMAINS.capacity, signedPart(advert), advert.signature)
  return advert
}

/**
 * Providers known from their signed capacity adverts on gossip (fresh within 45 s). The directory is the
 * topic's gossip validator: an advert is parsed and its signature checked once, on the first copy that
 * arrives, before the node forwards it; a malformed or forged one is rejected, so it goes no further.
 */
export class ProviderDirectory {
  readonly #byPeer = new Map<string, Capacity>()
  #stop?: () => void

  /** Start taking in capacity adverts. */
  start(host: Host, log: Logger): void {
    const topic = host.services.wire.topics.capacity
    const validate = async (_from: unknown, msg: { data: Uint8Array }) => {
      try {
        this.add(await readAdvert(msg.data))
        return TopicValidatorResult.Accept
      } catch (err) {
        log.debug({ err: (err as Error).message }, 'bad capacity advert')
        return TopicValidatorResult.Reject
      }
    }
    host.services.pubsub.topicValidators.set(topic, validate)
    host.services.pubsub.subscribe(topic)
    this.#stop = () => host.services.pubsub.topicValidators.delete(topic)
  }

  /** Keep `advert` if it is the provider's newest. */
  add(advert: Capacity): void {
    const known = this.#byPeer.get(advert.provider)
    if (!known || known.at < advert.at) this.#byPeer.set(advert.provider, advert)
  }

  stop(): void {
    this.#stop?.()
  }

  /** Fresh adverts, optionally only those accepting work. */
  list(options: { acceptingOnly?: boolean } = {}): Capacity[] {
    const now = Date.now()
    return [...this.#byPeer.values()].filter(
      (c) => now - c.at < STALE_MS && (!options.acceptingOnly || c.accepting),
    )
  }
}
