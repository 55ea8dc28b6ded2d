import type { Logger } from '../log.js'
import { type Offer, OfferSchema, signedPart } from '../market/messages.js'
import { serveJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { verifyPayload } from '../net/signing.js'
import { DOMAINS, PROTOCOLS } from '../protocols/ids.js'

/** Receives signed offers on `/mutirao/offer/1` and hands them to whoever waits for that demand. */
export class OfferInbox {
  readonly #waiting = new Map<string, (offer: Offer) => void>()

  /** Start serving the offer protocol. */
  async start(host: Host, log: Logger): Promise<void> {
    await serveJson(host, PROTOCOLS.offer, OfferSchema, async (offer, remotePeer) => {
      if (offer.provider !== remotePeer) throw new Error('offer provider is not the dialing peer')
      await verifyPayload(offer.provider, DOMAINS.offer, signedPart(offer), offer.signature)
      const sink = this.#waiting.get(offer.demandId)
      if (!sink) return { ok: false, error: 'demand closed' }
      log.debug({ demand: offer.demandId, provider: offer.provider }, 'offer received')
      sink(offer)
      return { ok: true }
    })
  }

  /** Route offers for `demandId` to `sink` until the returned function is called. */
  listen(demandId: string, sink: (offer: Offer) => void): () => void {
    this.#waiting.set(demandId, sink)
    return () => this.#waiting.delete(demandId)
  }
}
