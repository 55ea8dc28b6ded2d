import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { InvalidInputError, MessageTooLargeError } from '../errors.js'

/** What an attester claims about a provider, at a time. */
export interface AttestationBody {
  /** The attester's ed25519 public key, hex. */
  attester: string
  /** The provider's id (its public key or peer id). */
  provider: string
  /** The attester's reputation score of the provider, in [0, 1]. */
  score: number
  counts: { valid: number; invalid: number; timeout: number }
  /** ms since the epoch. */
  time: number
}

/** A signed attestation, shared between requesters. */
export interface Attestation extends AttestationBody {
  /** ed25519 signature over {@link attestationMessage}, hex. */
  signature: string
}

/** Largest serialised attestation accepted from a peer. */
export const MAX_ATTESTATION_BYTES = 2048

/** Schema of an attestation from a peer. */
export const attestationSchema = z.object({
  attester: z.string().regex(/^[0-9a-f]{64}$/),
  provider: z.string().min(1).max(128),
  score: z.number().min(0).max(1),
  counts: z.object({
    valid: z.number().int().min(0),
    invalid: z.number().int().min(0),
    timeout: z.number().int().min(0),
  }),
  time: z.number().int().min(0),
  signature: z.string().regex(/^[0-9a-f]{128}$/),
})

/** The exact signed bytes: a domain tag and every field in a fixed order. */
export function attestationMessage(b: AttestationBody): Uint8Array {
  const { valid, invalid, timeout } = b.counts
  return new TextEncoder().encode(
    `mutirao/attestation/v1\n${b.attester}\n${b.provider}\n${b.score}\n${valid},${invalid},${timeout}\n${b.time}`,
  )
}

/** Signs an attestation with the attester's ed25519 secret key. */
export function signAttestation(body: Omit<AttestationBody, 'attester'>, secretKey: Uint8Array): Attestation {
  const full = { ...body, attester: bytesToHex(ed25519.getPublicKey(secretKey)) }
  return { ...full, signature: bytesToHex(ed25519.sign(attestationMessage(full), secretKey)) }
}

/** Checks the signature of a (schema-valid) attestation. */
export function verifyAttestation(a: Attestation): boolean {
  try {
    return ed25519.verify(hexToBytes(a.signature), attestationMessage(a), hexToBytes(a.attester))
  } catch {
    return false
  }
}

/**
 * Parses an attestation received as bytes: size limit first, then JSON and schema.
 * @throws MessageTooLargeError | InvalidInputError
 */
export function parseAttestation(bytes: Uint8Array): Attestation {
  if (bytes.length > MAX_ATTESTATION_BYTES) {
    throw new MessageTooLargeError(`attestation of ${bytes.length} bytes exceeds ${MAX_ATTESTATION_BYTES}`)
  }
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch (e) {
    throw new InvalidInputError('attestation is not JSON', { cause: e })
  }
  const parsed = attestationSchema.safeParse(json)
  if (!parsed.success) throw new InvalidInputError(`invalid attestation: ${parsed.error.message}`)
  return parsed.data
}

/** Options of {@link aggregateAttestations}. */
export interface AggregateOptions {
  /** The provider the aggregate is about; attestations about others are ignored. */
  provider: string
  /** The attester's stake (from the ledger). Attesters with no stake carry no weight. */
  stakeOf: (attester: string) => bigint
  now: number
  /** Attestations older than this are ignored. Default 30 days. */
  maxAgeMs?: number
  /** Tolerated clock skew for attestations from the future. Default 5 minutes. */
  maxSkewMs?: number
}

/** The stake-weighted view of a provider. */
export interface AggregateReputation {
  /** Stake-weighted mean score, or undefined when no attestation carried weight. */
  score: number | undefined
  /** Total stake behind the score. */
  weight: bigint
  used: number
  rejected: { attester: string; reason: string }[]
}

/**
 * Combines attestations about one provider: drops bad signatures, self-attestations, stale or future
 * ones and zero-stake attesters; keeps each attester's latest; weighs each score by the attester's
 * stake. Creating attesters costs nothing, but stake does: Sybil attesters without stake add no weight.
 */
export function aggregateAttestations(
  attestations: Attestation[],
  opts: AggregateOptions,
): AggregateReputation {
  const maxAge = opts.maxAgeMs ?? 30 * 24 * 3600_000
  const skew = opts.maxSkewMs ?? 5 * 60_000
  const rejected: AggregateReputation['rejected'] = []
  const latest = new Map<string, Attestation>()
  for (const a of attestations) {
    const reason =
      a.provider !== opts.provider
        ? 'about another provider'
        : a.attester === a.provider
          ? 'self-attestation'
          : a.time > opts.now + skew
            ? 'from the future'
            : a.time < opts.now - maxAge
              ? 'too old'
              : !verifyAttestation(a)
                ? 'bad signature'
                : undefined
    if (reason) {
      rejected.push({ attester: a.attester, reason })
      continue
    }
    const prev = latest.get(a.attester)
    if (!prev || prev.time < a.time) latest.set(a.attester, a)
  }
  let weight = 0n
  let weighted = 0n
  const SCALE = 1_000_000_000n
  for (const a of latest.values()) {
    const stake = opts.stakeOf(a.attester)
    if (stake <= 0n) {
      rejected.push({ attester: a.attester, reason: 'no stake' })
      continue
    }
    weight += stake
    weighted += stake * BigInt(Math.round(a.score * 1e9))
  }
  const used = latest.size - rejected.filter((r) => r.reason === 'no stake').length
  return {
    score: weight > 0n ? Number(weighted / weight) / Number(SCALE) : undefined,
    weight,
    used,
    rejected,
  }
}
