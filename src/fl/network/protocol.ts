import { z } from 'zod'
import { DataSchema } from '../../data/schema.js'
import { ModelSpec } from '../../train/model-spec.js'

/** Signature domain of every `/mutirao/fl/1` message (never valid as another message kind). */
export const FL_DOMAIN = 'mutirao:fl:1'

/** Frame limits: control headers up to 1 MiB (SecAgg envelopes of many peers), bodies up to 64 MiB. */
export const FL_FRAME_LIMITS = { maxHeaderBytes: 1024 * 1024, maxBodyBytes: 64 * 1024 * 1024 }

/** Most parameters a federated model may have (16 M float32 = 64 MiB). */
export const MAX_MODEL_PARAMS = 16 * 1024 * 1024

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex chars')
const b64 = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
const peerId = z.string().regex(/^[A-Za-z0-9]{20,128}$/, 'must be a peer id')
const jobId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'job id must be 1–64 chars of [A-Za-z0-9._-]')
const round = z.number().int().min(0).max(1_000_000)
const ethAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be an Ethereum address')
const uintString = z.string().regex(/^\d{1,78}$/, 'must be a decimal integer')

/**
 * A signed escrow voucher paying a holder its share of the data budget (JobEscrow, price 1 per unit):
 * `receiptsRoot` is the model's lineage root (the per-round contribution records it commits to).
 */
export const DataPayment = z.strictObject({
  chainId: z.number().int().positive(),
  escrow: ethAddress,
  jobId: uintString,
  provider: ethAddress,
  cumulativeUnits: uintString,
  cumulativeAmount: uintString,
  receiptsRoot: z.string().regex(/^0x[0-9a-f]{64}$/),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
})
/** See {@link DataPayment}. */
export type DataPayment = z.infer<typeof DataPayment>

/** Aggregation rule for plain (non-secure) rounds; robust rules defend against poisoned updates. */
export const AggregatorSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('fedavg') }),
  z.strictObject({ kind: z.literal('median') }),
  z.strictObject({ kind: z.literal('trimmed-mean'), beta: z.number().min(0).lt(0.5) }),
  z.strictObject({
    kind: z.literal('krum'),
    f: z.number().int().min(0),
    m: z.number().int().min(1).optional(),
  }),
])

/**
 * An `fl-train` job, as the model owner defines it and every holder receives it: model, data schema,
 * hyperparameters, rounds, per-round minimum participants and deadline, optional SecAgg and DP.
 */
export const FlJobSpec = z.strictObject({
  id: jobId,
  model: ModelSpec,
  schema: DataSchema,
  rounds: z.number().int().min(1).max(10_000),
  minParticipants: z.number().int().min(1).max(1000),
  /** Milliseconds from a round's start to its deadline; updates after it are ignored. */
  roundDeadlineMs: z
    .number()
    .int()
    .min(100)
    .max(24 * 3600_000),
  local: z.strictObject({
    epochs: z.number().int().min(1).max(1000),
    batchSize: z.number().int().min(1).max(65_536),
    lr: z.number().positive().max(100),
    /** FedProx μ; 0 or absent = FedAvg. */
    fedProxMu: z.number().min(0).max(100).optional(),
    optimizer: z.enum(['sgd', 'adam']).optional(),
  }),
  aggregator: AggregatorSpecSchema.default({ kind: 'fedavg' }),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  /** Pairwise-masked secure aggregation (Bonawitz et al. 2017); implies FedAvg. */
  secureAggregation: z
    .strictObject({
      /**
       * Shamir threshold; default a strict majority of those holding each secret's shares: ⌊n/2⌋+1 of the
       * round's holders, or ⌊(k+1)/2⌋+1 under SecAgg+.
       */
      threshold: z.number().int().min(2).optional(),
      /**
       * SecAgg+ (Bell et al. 2020): each holder masks with and shares its secrets among only k neighbours (an
       * even number), or `'auto'`: the k that survives 30 % dropouts (`plusDegree`). Default: every holder.
       */
      degree: z
        .union([
          z.literal('auto'),
          z
            .number()
            .int()
            .min(2)
            .refine((k) => k % 2 === 0, 'degree must be even'),
        ])
        .optional(),
      /** Deadline of each SecAgg step after the keys (ms). */
      stepTimeoutMs: z.number().int().min(100).max(600_000).default(5000),
      /** Sample counts are divided by this before weighting (keeps fixed-point values in range). */
      weightScale: z.number().positive().default(100),
    })
    .optional(),
  /** Per-holder DP: clip the update (w − global) to `clipNorm`, add N(0, (σ·C)²); uniform holder weights. */
  privacy: z.strictObject({ clipNorm: z.number().positive(), noiseMultiplier: z.number().min(0) }).optional(),
  /** Times a round is retried when fewer than `minParticipants` answer by the deadline. */
  maxRoundAttempts: z.number().int().min(1).max(100).default(5),
  /** Data budget (token base units, decimal string) split by contribution shares at the end. */
  dataBudget: z
    .string()
    .regex(/^\d{1,78}$/)
    .optional(),
})
/** See {@link FlJobSpec}. */
export type FlJobSpec = z.infer<typeof FlJobSpec>
/** A job spec as written by its owner (defaults not yet applied). */
export type FlJobSpecInput = z.input<typeof FlJobSpec>

/** The fitted preprocessing, as sent to holders (small: a few numbers per model column). */
export const PreprocessingWire = z.strictObject({
  inputDim: z.number().int().min(1).max(10_000),
  outputDim: z.number().int().min(1).max(100_000),
  fill: z.array(z.number()).max(10_000),
  source: z.array(z.number().int().min(0)).max(100_000),
  category: z.array(z.number().int().min(-1)).max(100_000),
  mean: z.array(z.number()).max(100_000),
  std: z.array(z.number()).max(100_000),
  names: z.array(z.string().max(600)).max(100_000),
})

const privacySpent = z.strictObject({ epsilon: z.number().min(0), delta: z.number().min(0).max(1) })
/** Every message names its job, round and attempt (a round is retried when too few holders answer). */
const base = {
  job: jobId,
  round,
  attempt: z.number().int().min(0).max(1000),
  body: hex64.optional(),
  sig: b64(200),
}
const share = z.strictObject({ owner: peerId, y: b64(200) })
const keys = z.strictObject({ from: peerId, maskPublicKey: b64(64), encryptionPublicKey: b64(64) })
const envelope = z.strictObject({ from: peerId, to: peerId, nonce: b64(64), ciphertext: b64(256) })

/** Holder → coordinator messages (headers; weights travel as the frame body, raw float32). */
export const HolderMessage = z.discriminatedUnion('t', [
  /** `payee`: the holder's Ethereum address for its share of the data budget (bound by its signature). */
  z.strictObject({ t: z.literal('join'), ...base, payee: ethAddress.optional() }),
  z.strictObject({
    t: z.literal('stats'),
    ...base,
    stats: z.strictObject({
      rows: z.number().int().min(0),
      count: z.array(z.number().min(0)).max(10_000),
      sum: z.array(z.number()).max(10_000),
      sumSq: z.array(z.number().min(0)).max(10_000),
      categoryCounts: z.array(z.array(z.number().min(0)).max(1024)).max(10_000),
    }),
  }),
  z.strictObject({
    t: z.literal('update'),
    ...base,
    numSamples: z.number().int().min(1).max(1e9),
    loss: z.number(),
    privacy: privacySpent.optional(),
  }),
  z.strictObject({ t: z.literal('decline'), ...base, reason: z.string().max(500) }),
  z.strictObject({ t: z.literal('sa-keys'), ...base, keys }),
  z.strictObject({
    t: z.literal('sa-shares'),
    ...base,
    seedCommitment: b64(64),
    envelopes: z.array(envelope).max(1000),
  }),
  z.strictObject({
    t: z.literal('sa-masked'),
    ...base,
    numSamples: z.number().int().min(1).max(1e9),
    loss: z.number(),
    privacy: privacySpent.optional(),
  }),
  z.strictObject({
    t: z.literal('sa-unmask'),
    ...base,
    seedShares: z.array(share).max(1000),
    keyShares: z.array(share).max(1000),
  }),
])
/** See {@link HolderMessage}. */
export type HolderMessage = z.infer<typeof HolderMessage>

/** Coordinator → holder messages. */
export const CoordinatorMessage = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('welcome'), ...base, spec: FlJobSpec }),
  z.strictObject({ t: z.literal('reject'), ...base, reason: z.string().max(500) }),
  z.strictObject({ t: z.literal('stats-request'), ...base }),
  z.strictObject({
    t: z.literal('round'),
    ...base,
    deadline: z.number().int(),
    preprocessing: PreprocessingWire,
    secagg: z
      .strictObject({
        peers: z.array(peerId).min(2).max(1000),
        threshold: z.number().int().min(2),
        session: z.string().max(200),
        degree: z.number().int().min(2).max(1000).optional(),
      })
      .optional(),
  }),
  z.strictObject({ t: z.literal('sa-directory'), ...base, keys: z.array(keys).max(1000) }),
  z.strictObject({ t: z.literal('sa-inbox'), ...base, envelopes: z.array(envelope).max(1000) }),
  z.strictObject({
    t: z.literal('sa-unmask-request'),
    ...base,
    survivors: z.array(peerId).max(1000),
    dropped: z.array(peerId).max(1000),
  }),
  z.strictObject({
    t: z.literal('done'),
    ...base,
    modelHash: hex64,
    rounds: z.number().int().min(0),
    /** This holder's voucher for its share of the data budget (when the job pays through the ledger). */
    payment: DataPayment.optional(),
  }),
])
/** See {@link CoordinatorMessage}. */
export type CoordinatorMessage = z.infer<typeof CoordinatorMessage>

/** A message's type tag. */
export type HolderMessageType = HolderMessage['t']
