import type { Identity } from '../identity/keys.js'
import type { Channel } from '../net/channel.js'
import { signPayload, verifyPayload } from '../net/signing.js'
import type { ProviderPayments } from '../payments/provider-payments.js'
import type { ProviderSettlement } from '../payments/provider-settlement.js'
import { DOMAINS } from '../protocols/ids.js'
import type { Agreement } from '../protocols/market-messages.js'
import { signedPart } from '../protocols/market-messages.js'
import { StreamAgreementMsg, type StreamErrorCode } from '../protocols/stream-messages.js'

/** A refusal of a session sent to the requester with its code. */
export class Refusal extends Error {
  constructor(
    readonly code: StreamErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Samples per receipt of a paid session. */
export const RECEIPT_EVERY = 256
/** Receipts a paid session may run ahead of the requester's vouchers before it is stopped. */
export const MAX_UNCOVERED_RECEIPTS = 2

/** What a provider needs to be paid for sessions. */
export interface StreamPay {
  identity: Identity
  payments: ProviderPayments
  /** Payee checks: no work for an escrow that does not name us. */
  settlement?: ProviderSettlement
  pricePerUnit: bigint
}

/**
 * Ask for payment and take the requester's agreement: our terms out, the signed agreement in, checked against
 * the terms, the model and the escrow on-chain (open, funded, priced as agreed, naming us a payee), then
 * countersigned. Every refusal says why (code `payment`).
 */
export async function agreeOnSession(
  pay: StreamPay,
  ch: Channel,
  session: { requester: string; modelHash: string; costPerSample: number },
  signal: AbortSignal,
): Promise<{ agreement: Agreement; providerSig: string }> {
  const { payments, identity } = pay
  await ch.send({
    t: 'terms',
    pricePerUnit: pay.pricePerUnit.toString(),
    providerEth: identity.ethAddress,
    chainId: payments.ledger.chainId,
    escrow: payments.ledger.deployments.escrow,
    costPerSample: session.costPerSample,
    receiptEvery: RECEIPT_EVERY,
  })
  const { agreement } = (await ch.recv(StreamAgreementMsg, { signal })).header
  const refuse = (why: string): never => {
    throw new Refusal('payment', `agreement refused: ${why}`)
  }
  if (agreement.requester !== session.requester) refuse('its requester is not the peer on this stream')
  if (agreement.provider !== identity.peerId) refuse('it names another provider')
  await verifyPayload(
    agreement.requester,
    DOMAINS.agreement,
    signedPart(agreement, 'requesterSig', 'providerSig'),
    agreement.requesterSig,
  ).catch(() => refuse("the requester's signature does not verify"))
  if (BigInt(agreement.pricePerUnit) < pay.pricePerUnit)
    refuse(`price ${agreement.pricePerUnit} is below our ask of ${pay.pricePerUnit} per unit`)
  if (agreement.providerEth.toLowerCase() !== identity.ethAddress.toLowerCase())
    refuse('it pays another address')
  if (agreement.modelHash !== session.modelHash) refuse('it is for another model')
  if (agreement.costPerSample !== session.costPerSample)
    refuse(`it counts ${agreement.costPerSample} units per sample; the model costs ${session.costPerSample}`)
  if ((agreement.kind ?? 'onnx-inference') !== 'onnx-inference') refuse('a session runs an ONNX model')
  if (agreement.deadline <= Date.now()) refuse('its deadline has passed')
  await payments.vet(agreement).catch((err: Error) => refuse(err.message))
  const escrowJob = agreement.escrow!.jobId
  if (pay.settlement && !(await pay.settlement.isPayee(escrowJob).catch(() => false)))
    refuse(`escrow job ${escrowJob} does not name us a payee`)
  const providerSig = await signPayload(
    identity.peerKey,
    DOMAINS.agreement,
    signedPart(agreement, 'requesterSig', 'providerSig'),
  )
  return { agreement: { ...agreement, providerSig }, providerSig }
}
