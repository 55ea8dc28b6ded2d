import type { TensorMap } from '../exec/tensor.js'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import type { RequesterPayments } from '../payments/requester-payments.js'
import type { RequesterSettlement } from '../payments/requester-settlement.js'
import type { Agreement } from '../protocols/market-messages.js'
import type { BlobStore } from '../store/blob-store.js'
import type { VerificationPolicy } from '../verify/index.js'
import type { DisputeFiler } from './dispute-filer.js'
import type { FailureTally } from './failure-tally.js'
import type { KindInfo } from './job-kind.js'
import type { JobPayments } from './job-payments.js'
import type { JobProgress, JobSpec, ShardVerification, VerificationSpec } from './job-spec.js'
import type { JobRecord, JobStore } from './job-store.js'
import type { MarketClientComponents } from './market-client.js'
import type { ProviderSession } from './provider-session.js'
import type { TrustBook } from './trust-book.js'
import type { Answer, VoteScheduler } from './vote-scheduler.js'

/**
 * What a job's model (or wasm module) says of itself and the inputs, loaded from the blob store. The model's
 * bytes are read again only where they are run here (canaries).
 */
export interface JobMaterial {
  info: KindInfo
  inputs: TensorMap
}

/** Components a job run needs. */
export interface JobRunComponents {
  host: Host
  store: JobStore
  blobs: BlobStore
  market: Omit<MarketClientComponents, 'log'>
  log: Logger
  /** Largest result of one task accepted from a provider. */
  maxResultBytes: number
  /** Escrow and vouchers; absent = unpaid (only for tests of the market alone). */
  payments?: RequesterPayments
  /** Payees and early closing of the job's escrow; absent = the escrow waits for reclaim. */
  settlement?: RequesterSettlement
  /** Adaptive verification's trust in providers, carried across jobs; absent = every job starts afresh. */
  trust?: TrustBook
  /** Called for each accepted result (ledger vouchers, reputation). */
  onAccepted?: (info: {
    agreement: Agreement
    shardIdx: number
    units: number
    inputHash: string
    outputHash: string
  }) => void
  /** Called when a provider misbehaves (malformed output, bad signature) or vanishes. */
  onFault?: (info: {
    provider: string
    kind: 'malformed' | 'gone' | 'error' | 'outvoted'
    detail: string
  }) => void
}

/** A task in flight, by its opaque id (ids carry no shard index, so replicas and canaries look alike). */
export interface TaskRef {
  idx: number
  canary: boolean
  inputHash: string
}

/**
 * The state one job run shares between its parts (acquisition, dispatch, result judging): owned by
 * `JobRun`, which alone decides when the job starts and ends.
 */
export interface JobContext {
  readonly c: JobRunComponents
  readonly job: JobRecord
  readonly progress: JobProgress
  readonly sched: VoteScheduler
  readonly verification: VerificationSpec
  readonly policy?: VerificationPolicy
  readonly payments?: JobPayments
  readonly disputes?: DisputeFiler
  /** Open sessions by agreement id. */
  readonly sessions: Map<string, ProviderSession>
  /** Providers this job no longer works with (malformed output, excluded by the policy). */
  readonly banned: Set<string>
  readonly tasks: Map<string, TaskRef>
  /** Shards the requester computed itself: known answers to use as canaries. */
  readonly canaries: Map<number, Answer>
  /** Task failures per shard: the provider's fault or the job's (src/requester/failure-tally.ts). */
  readonly failures: FailureTally
  /** The model's kind information and the job's inputs (set once the run has loaded them). */
  info(): KindInfo
  inputs(): TensorMap
  /** The job's batch axes (ONNX jobs; absent: every tensor on axis 0). */
  axes(): Extract<JobSpec, { kind: 'onnx-inference' }>['batchAxes']
  /** Report a change of `progress`. */
  changed(): void
  /** Fail the job with `err` (the run loop throws it on its next turn). */
  fail(err: Error): void
}

/** How each accepted shard was verified (progress.verification.shards), created on first use. */
export function shardCounts(progress: JobProgress): ShardVerification {
  const v = progress.verification!
  v.shards ??= { checked: 0, single: 0, unchecked: 0, local: 0 }
  return v.shards
}

/** The progress entry of one provider's work, created on first use. */
export function workOf(progress: JobProgress, provider: string) {
  let work = progress.providers.find((w) => w.provider === provider)
  if (!work) {
    work = { provider, shards: 0, samples: 0, units: 0 }
    progress.providers.push(work)
  }
  return work
}
