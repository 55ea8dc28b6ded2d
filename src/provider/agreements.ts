import type { Agreement, Offer } from '../protocols/market-messages.js'

/** An agreement this provider countersigned, with the model it needs. */
export interface ActiveAgreement {
  agreement: Agreement
  /** Resolves once the model is in the local blob store; rejects if it cannot be fetched. */
  modelReady: Promise<void>
}

/** The provider's memory of its recent offers and its agreements. */
export class AgreementBook {
  readonly #offers = new Map<string, Offer>()
  readonly #agreements = new Map<string, ActiveAgreement>()

  rememberOffer(offer: Offer): void {
    this.#offers.set(offer.demandId, offer)
    this.#prune()
  }

  offerFor(demandId: string): Offer | undefined {
    return this.#offers.get(demandId)
  }

  add(active: ActiveAgreement): void {
    this.#agreements.set(active.agreement.agreementId, active)
  }

  get(agreementId: string): ActiveAgreement | undefined {
    return this.#agreements.get(agreementId)
  }

  /** Whether `peer` holds an agreement for the blob `hash` (it may fetch nothing else from us). */
  hasModel(hash: string): boolean {
    for (const a of this.#agreements.values()) if (a.agreement.modelHash === hash) return true
    return false
  }

  #prune(): void {
    const now = Date.now()
    for (const [id, offer] of this.#offers) if (offer.expires < now) this.#offers.delete(id)
    for (const [id, a] of this.#agreements)
      if (a.agreement.deadline < now - 60_000) this.#agreements.delete(id)
  }
}
