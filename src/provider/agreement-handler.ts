import { peerIdFromString } from '@libp2p/peer-id'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import { serveJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { signPayload, verifyPayload } from '../net/signing.js'
import { fetchBlob } from '../protocols/blob.js'
import { DOMAINS } from '../protocols/ids.js'
import { AgreementSchema, signedPart } from '../protocols/market-messages.js'
import type { BlobStore } from '../store/blob-store.js'
import type { AgreementBook } from './agreements.js'
import type { ProviderTerms } from './types.js'

/** Components the agreement handler needs. */
export interface AgreementHandlerComponents {
  host: Host
  identity: Identity
  terms: ProviderTerms
  book: AgreementBook
  blobs: BlobStore
  log: Logger
  /** Extra checks before countersigning (e.g. that the escrow covers the work); throw to refuse. */
  vet?: (agreement: ReturnType<typeof AgreementSchema.parse>) => Promise<void>
  /** Told about each agreement countersigned. */
  onAgreed?: (agreement: ReturnType<typeof AgreementSchema.parse>) => void
}

/**
 * Serve `/mutirao/agree/1`: check a requester-signed agreement against our offer (it must pay at least our
 * ask), countersign it, and start fetching its model from the requester.
 */
export async function serveAgreements(c: AgreementHandlerComponents): Promise<void> {
  await serveJson(
    c.host,
    c.host.services.wire.protocols.agree,
    AgreementSchema,
    async (agreement, remotePeer) => {
      if (agreement.requester !== remotePeer) throw new Error('agreement requester is not the dialing peer')
      if (agreement.provider !== c.identity.peerId) throw new Error('agreement names another provider')
      await verifyPayload(
        agreement.requester,
        DOMAINS.agreement,
        signedPart(agreement, 'requesterSig', 'providerSig'),
        agreement.requesterSig,
      )
      const offer = c.book.offerFor(agreement.demandId)
      if (!offer) throw new Error('no offer of ours for this demand')
      // Uniform price (docs/architecture.md, Market): the requester pays every provider of a job the
      // clearing price, the highest ask it accepted, so any agreement paying at least our ask is welcome.
      if (BigInt(agreement.pricePerUnit) < BigInt(offer.pricePerUnit))
        throw new Error(`price ${agreement.pricePerUnit} is below our ask of ${offer.pricePerUnit} per unit`)
      if (agreement.providerEth.toLowerCase() !== c.identity.ethAddress.toLowerCase()) {
        throw new Error('payee address differs from our offer')
      }
      if (agreement.deadline <= Date.now()) throw new Error('agreement deadline has passed')
      const kind = agreement.kind ?? 'onnx-inference'
      if (!c.terms.kinds.includes(kind)) throw new Error(`we do not run ${kind} jobs`)
      await c.vet?.(agreement)
      const providerSig = await signPayload(
        c.identity.peerKey,
        DOMAINS.agreement,
        signedPart(agreement, 'requesterSig', 'providerSig'),
      )
      const signed = { ...agreement, providerSig }
      const modelReady = fetchBlob(
        c.host,
        peerIdFromString(agreement.requester),
        agreement.modelHash,
        c.blobs,
        {
          maxBytes: c.terms.maxModelBytes,
          signal: AbortSignal.timeout(Math.max(1000, agreement.deadline - Date.now())),
        },
      )
      modelReady.catch((err) =>
        c.log.warn({ err: err.message, agreement: agreement.agreementId }, 'model fetch failed'),
      )
      c.book.add({ agreement: signed, modelReady })
      c.onAgreed?.(signed)
      c.log.info({ agreement: agreement.agreementId, job: agreement.jobId }, 'agreement signed')
      return { ok: true, providerSig }
    },
  )
}
