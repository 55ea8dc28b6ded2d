import { z } from 'zod'
import { DEFAULT_MAX_PRICE, parsePrice } from '../market/price.js'
import { Amount, Sha256Hex } from '../protocols/market-messages.js'
import type { DisputeRecord } from './dispute-record.js'
import type { ShardMap } from './shard-map.js'

/**
 * How results are verified (src/verify): `none` trusts every provider; `replicate` runs every shard on `k`
 * distinct providers and accepts when `quorum` agree; `adaptive` checks untrusted providers on every shard
 * and trusted ones at a falling rate; `spot` mixes in canaries (shards the requester computed itself) at
 * `canaryRate`; `adaptive+spot` both. `tolerance` overrides the float comparison defaults (DEFAULT_TOLERANCE).
 * `disputes`: `auto` (default) files an on-chain accusation against a staked provider outvoted by ≥ 2
 * signers of one identical output, when the chain has a DisputeResolver; `off` never does.
 */
export const VerificationSpecSchema = z.object({
  policy: z.enum(['none', 'replicate', 'adaptive', 'spot', 'adaptive+spot']).default('adaptive'),
  k: z.number().int().min(1).max(9).optional(),
  quorum: z.number().int().min(1).max(9).optional(),
  canaryRate: z.number().min(0).max(1).optional(),
  tolerance: z
    .object({ abs: z.number().nonnegative().optional(), rel: z.number().nonnegative().optional() })
    .optional(),
  disputes: z.enum(['auto', 'off']).optional(),
  /**
   * What to do with results the policy wants checked when no second provider can check them: `fail`
   * (default: the job waits up to 20 s for one, then fails naming how many shards could not be checked) or
   * `unchecked` (accept them, counted and reported as unchecked).
   */
  fallback: z.enum(['fail', 'unchecked']).optional(),
})
export type VerificationSpec = z.infer<typeof VerificationSpecSchema>

const Axis = z.number().int().min(0).max(31)
/** Batch axes of a job's inputs and outputs (see src/exec/batch-axes.ts). */
export const BatchAxesSchema = z.strictObject({
  inputs: z.record(z.string().max(256), z.union([Axis, z.literal('broadcast')])).optional(),
  outputs: z.record(z.string().max(256), Axis).optional(),
})

const common = {
  name: z.string().max(120).optional(),
  /** The model (ONNX) or the module (`wasm`): a blob in the store, by sha256. */
  modelHash: Sha256Hex,
  inputsHash: Sha256Hex,
  /**
   * Highest price per work unit the requester accepts, in token base units (job files and the SDK also take
   * `maxPrice` in MUT per 1,000 units); default 0.01 MUT per 1,000 units.
   */
  maxPricePerUnit: Amount.default(parsePrice(DEFAULT_MAX_PRICE).toString()),
  /** The job fails if not finished this long after submission. */
  timeoutSeconds: z
    .number()
    .positive()
    .max(7 * 86_400)
    .default(600),
  /**
   * How many providers: the job starts once `min` have agreed (or as many as it has shards) and uses up to
   * `max`. `waitSeconds`: how long it waits for `min` before failing with the reasons it heard (default 60);
   * when given, a demand every provider declines for a lasting reason (price, kind, size) is reported and
   * waited out instead of failing at once.
   */
  providers: z
    .object({
      min: z.number().int().positive().max(256).default(1),
      max: z.number().int().positive().max(256).default(8),
      waitSeconds: z
        .number()
        .positive()
        .max(7 * 86_400)
        .optional(),
      /** Only providers that run models on this execution provider (`webgpu`: a GPU) take the job. */
      executionProvider: z.enum(['webgpu']).optional(),
      /**
       * Rank offers of providers on this execution provider first (others still serve when none offer): a
       * GPU where one is free, the CPU otherwise. Known from the providers' capacity adverts.
       */
      prefer: z.strictObject({ executionProvider: z.enum(['webgpu', 'cpu', 'wasm']) }).optional(),
    })
    .prefault({}),
  verification: VerificationSpecSchema.prefault({}),
}

/** Resource limits of every run of a `wasm` job (the sandbox's WasmLimits). */
export const WasmLimitsSchema = z.strictObject({
  memoryBytes: z
    .number()
    .int()
    .min(65_536)
    .max(4 * 1024 ** 3),
  timeMs: z.number().int().min(1).max(3_600_000),
  outputBytes: z
    .number()
    .int()
    .min(0)
    .max(16 * 1024 * 1024),
})

/**
 * A job as the node runs it: model (or module) and inputs already in the blob store, by hash.
 * `onnx-inference`: inputs are the model's named tensors, sharded along dim 0.
 * `wasm`: inputs are runs in the tensor form of `exec/wasm/wasm-task.ts` (one row per run), every row with
 * exactly these `limits`; each run is worth ceil(limits.timeMs / 1000) work units (see job-kind.ts).
 */
export const JobSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('onnx-inference'),
    ...common,
    /** Samples per task (along each input's batch axis). */
    shardSize: z.number().int().positive().max(1_000_000).default(256),
    /**
     * Batch axis of each input (`broadcast`: sent whole with every task) and output (results joined along
     * it). Missing names are inferred from the model (src/exec/infer-batch-axes.ts); the node stores the
     * complete, resolved axes in the spec at submission.
     */
    batchAxes: BatchAxesSchema.optional(),
  }),
  z.object({
    kind: z.literal('wasm'),
    ...common,
    /** Runs per task. */
    shardSize: z.number().int().positive().max(4096).default(8),
    limits: WasmLimitsSchema,
  }),
])
export type JobSpec = z.infer<typeof JobSpecSchema>
export type JobSpecInput = z.input<typeof JobSpecSchema>

/** Lifecycle of a job. */
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled'

/** Work done by one provider for one job. */
export interface ProviderWork {
  provider: string
  shards: number
  samples: number
  units: number
  /**
   * The execution providers its work ran on (`webgpu`, `cpu`, as the provider reported them: while the job
   * runs every accepted answer counts, replicas included; once stored, its kept shards), and why it fell back
   * to the CPU when it did (`epFallback`).
   */
  executionProviders?: string[]
  epFallback?: string
}

/** A job's observable state: what `mutirao jobs`, the progress bar and the SDK show. */
export interface JobProgress {
  jobId: string
  /** The job's kind (absent in jobs stored before kinds existed: `onnx-inference`). */
  kind?: JobSpec['kind']
  name?: string
  status: JobStatus
  error?: string
  samplesTotal: number
  samplesDone: number
  shardsTotal: number
  shardsDone: number
  unitsDone: number
  costPerSample: number
  providers: ProviderWork[]
  createdAt: number
  firstResultAt?: number
  finishedAt?: number
  /** Verification so far: extra tasks run to check results, canaries, outvoted results, excluded providers. */
  verification?: VerificationProgress
  /** What the user must be told, oldest first (degraded verification, why nobody offered, waits). */
  notices?: JobNotice[]
  /** Increments on every change; clients long-poll on it. */
  version: number
  /** Who computed, or computes, each shard: added by the API (`GET /v1/jobs/:id`, the newest of `GET /v1/jobs`). */
  shardMap?: ShardMap
}

/** One thing a job tells its user, with a stable code for scripts. */
export interface JobNotice {
  at: number
  code:
    | 'unchecked'
    | 'no-offers'
    | 'waiting-providers'
    | 'verification-failed'
    | 'relayed'
    | 'escrow-open'
    /** Tasks sent again: a provider's task failed, or the provider was lost (missed heartbeats, a dropped stream). */
    | 'redispatched'
  message: string
}

/** How the accepted shards of a job were verified; the four counts add up to the shards done. */
export interface ShardVerification {
  /** Accepted when two or more providers agreed on the output. */
  checked: number
  /** Accepted from one provider because the policy did not ask for a check (`none`, or adaptive trust). */
  single: number
  /** Wanted a check that no second provider could give; accepted under `fallback: 'unchecked'`. */
  unchecked: number
  /** Computed by the requester itself (canary answers). */
  local: number
}

/** Verification counters of a job (see VerificationSpec). */
export interface VerificationProgress {
  policy: VerificationSpec['policy']
  /** Tasks sent beyond one per shard (replicas, tie-breakers). */
  replicaTasks: number
  canaryTasks: number
  /** Results that lost a quorum vote or failed a canary. */
  invalid: number
  /** Providers excluded from this job by the policy. */
  excluded: string[]
  /** How each accepted shard was verified (absent in jobs stored before it was counted). */
  shards?: ShardVerification
  /** On-chain accusations considered for outvoted results (when disputes are on). */
  disputes?: DisputeRecord[]
}
