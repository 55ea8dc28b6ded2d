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

/** Providers known from their signed capacity adverts on gossip (fresh within 45 s). */
export class ProviderDirectory {
  readonly #byPeer = new Map<string, Capacity>()
  #stop?: () => void

  /** Start listening to capacity adverts. */
  start(host: Host, log: Logger): void {
    const onMessage = (evt: { detail: { topic: string; data: Uint8Array } }) => {
      if (
        evt.detail.topic !== host.services.wire.topics.capacity ||
        evt.detail.data.length > MAX_ADVERT_BYTES
      )
        return
      void (async () => {
        const advert = CapacitySchema.parse(JSON.parse(decoder.decode(evt.detail.data)))
        await verifyPayload(advert.provider, DOMAINS.capacity, signedPart(advert), advert.signature)
        const known = this.#byPeer.get(advert.provider)
        if (!known || known.at < advert.at) this.#byPeer.set(advert.provider, advert)
      })().catch((err) => log.debug({ err: (err as Error).message }, 'bad capacity advert'))
    }
    host.services.pubsub.subscribe(host.services.wire.topics.capacity)
    host.services.pubsub.addEventListener('message', onMessage as never)
    this.#stop = () => host.services.pubsub.removeEventListener('message', onMessage as never)
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
