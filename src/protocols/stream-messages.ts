import { z } from 'zod'
import { AgreementSchema, Amount, EthAddress, Sha256Hex } from './market-messages.js'
import { VoucherAckMsg, VoucherMsg } from './task-messages.js'

/** Bytes of one chunk of a model sent over a stream session. */
export const MODEL_CHUNK_BYTES = 1024 * 1024
/** Largest JSON header on a stream session (feedback maps are the largest). */
export const MAX_STREAM_HEADER_BYTES = 16 * 1024
/** Sequence numbers of one session: 0 … 2^53 − 1. */
const Seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
const Name = z.string().min(1).max(256)

/**
 * Requester → provider: open a session on a model. `feedback` maps state inputs to the outputs fed back
 * into them (stateful models); the body holds the first state (encoded tensors), empty for zeros.
 */
export const StreamOpenMsg = z.object({
  t: z.literal('open'),
  modelHash: Sha256Hex,
  modelBytes: z.number().int().positive(),
  feedback: z.record(Name, Name).optional(),
})

/** Requester → provider: one chunk of the model the provider asked for (`need-model`). */
export const ModelChunkMsg = z.object({ t: z.literal('model'), last: z.boolean() })

/** Requester → provider: one sample; the body holds its input tensors (without the state inputs). */
export const InferMsg = z.object({ t: z.literal('infer'), seq: Seq })

/**
 * Requester → provider, when the provider asked for payment (`terms`): the session's agreement, signed by
 * the requester, naming an escrow job that pays the provider (a payee) at least its ask.
 */
export const StreamAgreementMsg = z.object({ t: z.literal('agreement'), agreement: AgreementSchema })

/** Requester → provider: no more samples; the provider answers `ended` after the last receipt. */
export const EndMsg = z.object({ t: z.literal('end') })

/** Messages a provider accepts after the session is ready (vouchers: paid sessions only). */
export const ToStreamProviderMsg = z.discriminatedUnion('t', [InferMsg, VoucherMsg, EndMsg])

/** Provider → requester, after `open`: it lacks the model and wants its bytes. */
export const NeedModelMsg = z.object({ t: z.literal('need-model') })
/**
 * Provider → requester, after the model is loaded, when the provider is paid for sessions: its price, payee
 * address and escrow contract, the model's cost per sample, and how many samples make one receipt.
 */
export const TermsMsg = z.object({
  t: z.literal('terms'),
  pricePerUnit: Amount,
  providerEth: EthAddress,
  chainId: z.number().int().positive(),
  escrow: EthAddress,
  costPerSample: z.number().int().positive(),
  receiptEvery: z.number().int().positive().max(1_000_000),
})
export type StreamTerms = z.infer<typeof TermsMsg>

/** Provider → requester: the model is loaded (and, when paid, the agreement countersigned); samples may flow. */
export const StreamReadyMsg = z.object({ t: z.literal('ready'), providerSig: z.string().max(256).optional() })

/** Provider → requester, answering `end`: every answered sample is in a receipt. */
export const EndedMsg = z.object({ t: z.literal('ended'), samples: z.number().int().nonnegative() })
/** Provider → requester: one sample's outputs, in `seq` order; the body holds the output tensors. */
export const OutMsg = z.object({ t: z.literal('out'), seq: Seq })
/**
 * Provider → requester: a refusal of the session (no `seq`) or of one sample (`seq`). `code` says whose
 * fault it is: `bad-input` (the requester's; the session goes on, its state unchanged), `busy`, `too-large`,
 * `model` (the model does not load), `payment` (no acceptable agreement, or vouchers fell behind) or `internal`.
 */
export const StreamErrorMsg = z.object({
  t: z.literal('error'),
  seq: Seq.optional(),
  code: z.enum(['bad-input', 'busy', 'too-large', 'model', 'payment', 'internal']),
  message: z.string().max(1000),
})
export type StreamErrorCode = z.infer<typeof StreamErrorMsg>['code']

/** Messages a requester accepts on a stream session. */
export const ToStreamRequesterMsg = z.discriminatedUnion('t', [
  NeedModelMsg,
  TermsMsg,
  StreamReadyMsg,
  OutMsg,
  StreamErrorMsg,
  VoucherAckMsg,
  EndedMsg,
])
export type ToStreamRequester = z.infer<typeof ToStreamRequesterMsg>
