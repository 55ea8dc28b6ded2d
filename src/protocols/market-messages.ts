import { z } from 'zod'

/** A libp2p peer id string (base58btc or CID form). */
export const PeerIdString = z
  .string()
  .min(40)
  .max(128)
  .regex(/^[1-9A-HJ-NP-Za-km-zb-z]+$/)
/** A sha256 content address in hex. */
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest')
/** A token amount in base units, as a decimal string (bigint on the wire). */
export const Amount = z.string().regex(/^\d{1,78}$/, 'a non-negative integer amount')
const Id = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)
const Signature = z.string().min(16).max(256)
export const EthAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/)

/** The kinds of job the market trades: ONNX inference, and WASI modules run in the sandbox (src/exec/wasm). */
export const JobKind = z.enum(['onnx-inference', 'wasm'])
export type JobKind = z.infer<typeof JobKind>

/** Escrow that backs an agreement on an EVM chain. */
export const EscrowRef = z.object({
  chainId: z.number().int().positive(),
  escrow: EthAddress,
  jobId: z.string().regex(/^\d{1,78}$/),
})
export type EscrowRef = z.infer<typeof EscrowRef>

/**
 * The requester asks for dispute evidence: every result also carries an EIP-712 `TaskResult` signature
 * by the provider's Ethereum key for this DisputeResolver (docs/trust.md, Disputes and slashing).
 */
export const DisputeRef = z.object({ chainId: z.number().int().positive(), resolver: EthAddress })
export type DisputeRef = z.infer<typeof DisputeRef>

/** A requester's demand, gossiped on `TOPICS.demand`. */
export const DemandSchema = z.object({
  v: z.literal(1),
  demandId: Id,
  requester: PeerIdString,
  addrs: z.array(z.string().max(300)).max(16),
  kind: JobKind,
  modelHash: Sha256Hex,
  modelBytes: z.number().int().positive(),
  costPerSample: z.number().int().positive(),
  samples: z.number().int().positive(),
  maxPricePerUnit: Amount,
  deadline: z.number().int().positive(),
  minMemoryBytes: z.number().int().nonnegative().optional(),
  /** Only providers running models on this execution provider may offer (`webgpu`: a GPU). */
  executionProvider: z.enum(['webgpu']).optional(),
  /**
   * Only providers in this sample offer (`inOfferSample`: a hash of the demand id and the provider below
   * this rate); the rest stay silent, declines included. Absent: everyone. Keeps a large network's answers
   * to a demand at tens, not thousands.
   */
  offerSample: z.number().gt(0).max(1).optional(),
  /** Which publication of the demand this is (absent: the first); the requester sends it again each second. */
  copy: z.number().int().min(1).max(16).optional(),
  /** The requester's payer address and the escrow contract it pays through. */
  payment: z
    .object({ chainId: z.number().int().positive(), escrow: EthAddress, payer: EthAddress })
    .optional(),
  signature: Signature,
})
export type Demand = z.infer<typeof DemandSchema>

/** A provider's signed offer answering a demand. */
export const OfferSchema = z.object({
  v: z.literal(1),
  demandId: Id,
  provider: PeerIdString,
  ethAddress: EthAddress,
  pricePerUnit: Amount,
  threads: z.number().int().positive().max(1024),
  expires: z.number().int().positive(),
  signature: Signature,
})
export type Offer = z.infer<typeof OfferSchema>

/**
 * Why a provider does not offer for a demand. `price`, `kind`, `model-size`, `memory` and `chain` hold
 * until the demand changes; `paused` (idle-only owner at work) and `busy` pass.
 */
export const DeclineReason = z.enum([
  'price',
  'kind',
  'model-size',
  'memory',
  'hardware',
  'chain',
  'paused',
  'busy',
])
export type DeclineReason = z.infer<typeof DeclineReason>

/** A provider's signed answer to a demand it will not serve, with the reason (and its ask, for `price`). */
export const DeclineSchema = z.object({
  v: z.literal(1),
  demandId: Id,
  provider: PeerIdString,
  reason: DeclineReason,
  detail: z.string().max(200),
  /** The provider's price per work unit, in base units (present for `price`). */
  ask: Amount.optional(),
  signature: Signature,
})
export type Decline = z.infer<typeof DeclineSchema>

/** The agreement both sides sign before tasks flow. */
export const AgreementSchema = z.object({
  v: z.literal(1),
  agreementId: Id,
  demandId: Id,
  jobId: Id,
  requester: PeerIdString,
  provider: PeerIdString,
  providerEth: EthAddress,
  pricePerUnit: Amount,
  /** Absent means `onnx-inference` (agreements signed before the `wasm` kind existed). */
  kind: JobKind.optional(),
  modelHash: Sha256Hex,
  costPerSample: z.number().int().positive(),
  deadline: z.number().int().positive(),
  escrow: EscrowRef.optional(),
  /** Batch axis of each input (`broadcast`: whole in every task), when not all on axis 0 (ONNX jobs). */
  inputAxes: z
    .record(z.string().max(256), z.union([z.number().int().min(0).max(31), z.literal('broadcast')]))
    .optional(),
  requesterEth: EthAddress.optional(),
  disputes: DisputeRef.optional(),
  requesterSig: Signature,
  providerSig: Signature.optional(),
})
export type Agreement = z.infer<typeof AgreementSchema>

/** The fields a signature covers: the message minus its signature fields. */
export function signedPart<T extends object>(msg: T, ...fields: string[]): Omit<T, 'signature'> {
  const copy = { ...msg } as Record<string, unknown>
  for (const f of ['signature', ...fields]) delete copy[f]
  return copy as Omit<T, 'signature'>
}

/** Reply to an offer or an agreement. */
export const AckSchema = z.object({
  ok: z.boolean(),
  error: z.string().max(500).optional(),
  providerSig: Signature.optional(),
})
