import { z } from 'zod'
import { Sha256Hex } from './market-messages.js'

const ID_MAX = 96
const Id = z.string().min(1).max(ID_MAX)
/** Most task ids one voucher may cover. */
export const MAX_VOUCHER_TASK_IDS = 20_000

/** Requester → provider: bind the stream to an agreement. */
export const OpenMsg = z.object({ t: z.literal('open'), agreementId: z.string().min(8).max(64) })

/** Requester → provider: one task; body = encoded input tensors of the shard. */
export const TaskMsg = z.object({
  t: z.literal('task'),
  taskId: Id,
  samples: z.number().int().positive(),
  units: z.number().int().positive(),
  inputHash: Sha256Hex,
  deadline: z.number().int().positive(),
})

/** Requester → provider: no longer wanted (result would be a harmless duplicate). */
export const CancelMsg = z.object({ t: z.literal('cancel'), taskId: Id })

/**
 * Requester → provider: a cumulative EIP-712 payment voucher for the escrow job, covering every
 * receipt so far; `taskIds` lists the tasks newly covered since the previous voucher.
 */
export const VoucherMsg = z.object({
  t: z.literal('voucher'),
  escrowJob: z.string().regex(/^\d{1,78}$/),
  cumulativeUnits: z.string().regex(/^\d{1,78}$/),
  cumulativeAmount: z.string().regex(/^\d{1,78}$/),
  receiptsRoot: z.string().regex(/^0x[0-9a-f]{64}$/i),
  signature: z.string().regex(/^0x[0-9a-f]{130}$/i),
  taskIds: z.array(Id).max(MAX_VOUCHER_TASK_IDS),
})
export type VoucherMessage = z.infer<typeof VoucherMsg>

/**
 * Largest JSON header a provider accepts on a task stream: room for the largest valid voucher (every task id
 * at its maximum length, quoted and comma-separated, 8 bytes of slack for JSON escapes per id) plus 4 KiB for
 * the other fields. Task and cancel headers are far smaller.
 */
export const MAX_TASK_HEADER_BYTES = MAX_VOUCHER_TASK_IDS * (ID_MAX + 8) + 4096

/** Messages a provider accepts on a task stream after `open`. */
export const ToProviderMsg = z.discriminatedUnion('t', [TaskMsg, CancelMsg, VoucherMsg])

/** Provider → requester: ready for tasks (model loaded), with its concurrency. */
export const ReadyMsg = z.object({
  t: z.literal('ready'),
  slots: z.number().int().positive().max(4096),
  /**
   * How long this provider may go unheard before the requester gives its tasks to others, when longer than
   * {@link HEARTBEAT_TIMEOUT_MS} (a browser tab asks for more: its timers can be throttled, its page paused).
   */
  silenceMs: z.number().int().positive().max(3_600_000).optional(),
})

/**
 * Dispute evidence of a result, present when the agreement names a resolver (`Agreement.disputes`): `sig`
 * is the provider's EIP-712 `TaskResult(keccak256(jobId), inputHash, outputHash)` signature (65 bytes).
 */
export const ResultEvidence = z.object({
  inputHash: Sha256Hex,
  outputHash: Sha256Hex,
  sig: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte hex signature'),
})
export type ResultEvidence = z.infer<typeof ResultEvidence>

/**
 * Provider → requester: a result; body = encoded output tensors. The stream is authenticated (noise); a
 * disputable agreement's results carry signed `evidence`. (A `signature` field sent by older providers is
 * dropped by the schema: it was checked and used by nothing.)
 */
export const ResultMsg = z.object({
  t: z.literal('result'),
  taskId: Id,
  inputHash: Sha256Hex,
  outputHash: Sha256Hex,
  evidence: ResultEvidence.optional(),
  /**
   * The execution provider the task ran on, and why not on the provider's preferred one when it fell back to
   * the CPU (the provider's own word: shown to the user, never trusted for payment or verification).
   */
  ep: z.enum(['cpu', 'webgpu', 'wasm']).optional(),
  epFallback: z.string().max(300).optional(),
})

/**
 * Why a task failed, as a code (never matched on message text):
 * - `busy`: the provider refuses work for now (idle-only owner at work, credit limit): not a fault;
 * - `deadline`: the task ran past its deadline; `unknown-agreement`: the stream names no agreement of ours;
 * - `failed`: the provider itself failed (worker crash, model unavailable): the provider's fault;
 * - `invalid-input`, `model-failed` (the model failed inside the runtime: load or run) and `sandbox-limit`
 *   (a wasm module hit its time, memory or output limit, or trapped) are properties of the task: every
 *   honest provider reproduces them, so once two providers report one for the same task it is the job's
 *   fault (see {@link isJobFault}).
 */
export const TaskErrorCode = z.enum([
  'busy',
  'deadline',
  'invalid-input',
  'failed',
  'unknown-agreement',
  'model-failed',
  'sandbox-limit',
])
export type TaskErrorCode = z.infer<typeof TaskErrorCode>

/** Whether a task error code names a deterministic failure of the task itself, not of the provider. */
export const isJobFault = (code: TaskErrorCode): boolean =>
  code === 'invalid-input' || code === 'model-failed' || code === 'sandbox-limit'

/** Provider → requester: a task failed or was refused, with a typed code and the original message. */
export const TaskErrorMsg = z.object({
  t: z.literal('error'),
  taskId: Id,
  code: TaskErrorCode,
  message: z.string().max(1000),
})

/** Provider → requester: liveness and load, at a fixed interval. */
export const HeartbeatMsg = z.object({
  t: z.literal('hb'),
  running: z.number().int().nonnegative(),
  busy: z.boolean(),
})

/** Provider → requester: a voucher was checked and stored (the requester may stop resending its tasks). */
export const VoucherAckMsg = z.object({
  t: z.literal('voucher-ack'),
  escrowJob: z.string().regex(/^\d{1,78}$/),
  cumulativeUnits: z.string().regex(/^\d{1,78}$/),
})

/** Messages a requester accepts on a task stream. */
export const ToRequesterMsg = z.discriminatedUnion('t', [
  ReadyMsg,
  ResultMsg,
  TaskErrorMsg,
  HeartbeatMsg,
  VoucherAckMsg,
])

export type TaskMessage = z.infer<typeof TaskMsg>
export type ToRequester = z.infer<typeof ToRequesterMsg>
export type ToProvider = z.infer<typeof ToProviderMsg>

/** Interval between provider heartbeats. */
export const HEARTBEAT_MS = 1000
/** A provider silent for this long is considered gone and loses its tasks (unless it asked for more). */
export const HEARTBEAT_TIMEOUT_MS = 4000
/** The most silence a provider may ask for (`silenceMs` of its ready message); more is cut to this. */
export const MAX_SILENCE_MS = 20_000
