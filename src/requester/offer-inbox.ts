import type { Logger } from '../log.js'
import { serveJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { verifyPayload } from '../net/signing.js'
import { DOMAINS } from '../protocols/ids.js'
import {
  type Decline,
  DeclineSchema,
  type Offer,
  OfferSchema,
  signedPart,
} from '../protocols/market-messages.js'

/** Where the answers to one open demand go. */
interface DemandSink {
  offer: (offer: Offer) => void
  decline?: (decline: Decline) => void
}

/**
 * Receives signed offers on `/mutirao/offer/1` and signed declines on `/mutirao/decline/1`, and hands them to
 * whoever waits for that demand; answers to a demand nobody waits for are refused (`demand closed`).
 */
export class OfferInbox {
  readonly #waiting = new Map<string, DemandSink>()

  /** Start serving the offer protocol. */
  async start(host: Host, log: Logger): Promise<void> {
    await serveJson(host, host.services.wire.protocols.offer, OfferSchema, async (offer, remotePeer) => {
      if (offer.provider !== remotePeer) throw new Error('offer provider is not the dialing peer')
      await verifyPayload(offer.provider, DOMAINS.offer, signedPart(offer), offer.signature)
      const sink = this.#waiting.get(offer.demandId)
      if (!sink) return { ok: false, error: 'demand closed' }
      log.debug({ demand: offer.demandId, provider: offer.provider }, 'offer received')
      sink.offer(offer)
      return { ok: true }
    })
    await serveJson(
      host,
      host.services.wire.protocols.decline,
      DeclineSchema,
      async (decline, remotePeer) => {
        if (decline.provider !== remotePeer) throw new Error('decline provider is not the dialing peer')
        await verifyPayload(decline.provider, DOMAINS.decline, signedPart(decline), decline.signature)
        const sink = this.#waiting.get(decline.demandId)
        if (!sink) return { ok: false, error: 'demand closed' }
        log.debug(
          { demand: decline.demandId, provider: decline.provider, reason: decline.reason },
          'declined',
        )
        sink.decline?.(decline)
        return { ok: true }
      },
    )
  }

  /** Route offers (and declines) for `demandId` to the sinks until the returned function is called. */
  listen(demandId: string, offer: (offer: Offer) => void, decline?: (decline: Decline) => void): () => void {
    this.#waiting.set(demandId, { offer, decline })
    return () => this.#waiting.delete(demandId)
  }
}
