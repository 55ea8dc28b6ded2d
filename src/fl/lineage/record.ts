import { z } from 'zod'
import { canonicalJson } from '../../net/signing.js'
import { sha256Hex } from '../network/codec.js'

const hex64 = z.string().regex(/^[0-9a-f]{64}$/)

/** One participant of a round: its peer id, its signed update header (commitment = `header.body`) and signature. */
export const LineageParticipant = z.strictObject({
  peer: z.string().min(1).max(128),
  /** SHA-256 of the update the holder sent (of its masked update under SecAgg). */
  commitment: hex64,
  /** The holder's signed message header without `sig`, exactly as it was signed. */
  signed: z.record(z.string(), z.unknown()),
  signature: z.string().max(200),
  numSamples: z.number().int().min(0),
  /** (ε, δ) the holder reports having spent after this round (DP jobs). */
  privacy: z.strictObject({ epsilon: z.number().min(0), delta: z.number().min(0).max(1) }).optional(),
})
/** See {@link LineageParticipant}. */
export type LineageParticipant = z.infer<typeof LineageParticipant>

/** The recorded history of one aggregated round, linked to the previous record by `prevHash`. */
export const LineageRound = z.strictObject({
  round: z.number().int().min(1),
  participants: z.array(LineageParticipant).min(1).max(1000),
  /** SHA-256 of the new global weights (float32 little-endian). */
  aggregateHash: hex64,
  secureAggregation: z.boolean(),
  /** SecAgg: holders that shared keys but sent no masked input (their masks were removed via Shamir shares). */
  dropped: z.array(z.string().max(128)).max(1000).optional(),
  /** Contribution share of each participant in this round (fractions summing to 1). */
  shares: z.record(z.string(), z.number().min(0).max(1)),
  /** How the shares were computed. */
  valuation: z.enum(['gtg-shapley', 'samples']),
  /** Largest ε any participant has spent so far (DP jobs). */
  maxEpsilon: z.number().min(0).optional(),
  testAccuracy: z.number().min(0).max(1).optional(),
  prevHash: hex64,
  hash: hex64,
})
/** See {@link LineageRound}. */
export type LineageRound = z.infer<typeof LineageRound>

/** The first link: the job spec, the preprocessing and the initial weights every round starts from. */
export const LineageGenesis = z.strictObject({
  job: z.string().min(1).max(64),
  coordinator: z.string().min(1).max(128),
  spec: z.record(z.string(), z.unknown()),
  preprocessingHash: hex64,
  initialHash: hex64,
  hash: hex64,
})
/** See {@link LineageGenesis}. */
export type LineageGenesis = z.infer<typeof LineageGenesis>

/** A model's lineage: genesis, every aggregated round, the final model's hash and the chain's root. */
export const Lineage = z.strictObject({
  version: z.literal(1),
  genesis: LineageGenesis,
  rounds: z.array(LineageRound).max(100_000),
  /** SHA-256 of the final weights (the last round's aggregate). */
  modelHash: hex64.optional(),
  /** Head of the hash chain (the last round's hash, or the genesis hash). */
  root: hex64,
})
/** See {@link Lineage}. */
export type Lineage = z.infer<typeof Lineage>

/** The hash of a record: SHA-256 of the canonical JSON of every field except `hash`. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = record
  return sha256Hex(new TextEncoder().encode(canonicalJson(rest)))
}

/** Builds the genesis record. */
export function createGenesis(fields: Omit<LineageGenesis, 'hash'>): LineageGenesis {
  return { ...fields, hash: recordHash(fields) }
}

/** Appends a round to a lineage (returns a new lineage): links it to the head and recomputes the root. */
export function appendRound(lineage: Lineage, round: Omit<LineageRound, 'prevHash' | 'hash'>): Lineage {
  const linked = { ...round, prevHash: lineage.root }
  const record: LineageRound = { ...linked, hash: recordHash(linked) }
  return {
    ...lineage,
    rounds: [...lineage.rounds, record],
    modelHash: record.aggregateHash,
    root: record.hash,
  }
}

/** A new lineage holding only its genesis. */
export function startLineage(genesis: LineageGenesis): Lineage {
  return { version: 1, genesis, rounds: [], root: genesis.hash }
}
