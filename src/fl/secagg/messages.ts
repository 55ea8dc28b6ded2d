import { z } from 'zod'
import { InvalidSecAggMessageError } from './errors.js'
import { ENVELOPE_NONCE_BYTES } from './keys.js'
import { SHAMIR_SHARE_BYTES } from './shamir.js'

/** Most holders in one secure-aggregation round. */
export const MAX_HOLDERS = 1000

/** Most elements in one aggregated vector (2^25 ≈ 33 M values, 128 MiB masked). */
export const MAX_VECTOR_LENGTH = 1 << 25

/** Plaintext of a share envelope: the recipient's share of the self-mask seed, then of the mask key. */
export const ENVELOPE_PLAINTEXT_BYTES = 2 * SHAMIR_SHARE_BYTES

/** Ciphertext of a share envelope: plaintext plus the 16-byte Poly1305 tag. */
export const ENVELOPE_CIPHERTEXT_BYTES = ENVELOPE_PLAINTEXT_BYTES + 16

/** A holder or session id: 1–128 characters of [A-Za-z0-9.:-] (libp2p peer ids fit). */
export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9.:-]{1,128}$/, 'id must be 1–128 chars of [A-Za-z0-9.:-]')

const byteArray = () => z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'must be a Uint8Array')
const bytes = (length: number) =>
  byteArray().refine((b) => b.length === length, `must be exactly ${length} bytes`)

/** Round 0, holder → everyone (via the aggregator): the holder's two X25519 public keys. */
export const advertisedKeysSchema = z.strictObject({
  from: idSchema,
  maskPublicKey: bytes(32),
  encryptionPublicKey: bytes(32),
})
export type AdvertisedKeys = z.infer<typeof advertisedKeysSchema>

/** One holder's encrypted Shamir shares for one other holder. */
export const shareEnvelopeSchema = z.strictObject({
  from: idSchema,
  to: idSchema,
  nonce: bytes(ENVELOPE_NONCE_BYTES),
  ciphertext: bytes(ENVELOPE_CIPHERTEXT_BYTES),
})
export type ShareEnvelope = z.infer<typeof shareEnvelopeSchema>

/** Round 1, holder → aggregator: one envelope per other holder, and a commitment to the self-mask seed. */
export const sharedKeysSchema = z.strictObject({
  from: idSchema,
  seedCommitment: bytes(32),
  envelopes: z.array(shareEnvelopeSchema).max(MAX_HOLDERS),
})
export type SharedKeys = z.infer<typeof sharedKeysSchema>

/** Round 2, holder → aggregator: y = x + PRG(b) + Σ ±PRG(s_ij) mod 2^32, as little-endian uint32 bytes. */
export const maskedInputSchema = z.strictObject({
  from: idSchema,
  masked: byteArray().refine((b) => b.length % 4 === 0 && b.length <= 4 * MAX_VECTOR_LENGTH, 'bad length'),
})
export type MaskedInput = z.infer<typeof maskedInputSchema>

/** Round 3, aggregator → survivors: who sent a masked input and who dropped after sharing keys. */
export const unmaskRequestSchema = z.strictObject({
  survivors: z.array(idSchema).max(MAX_HOLDERS),
  dropped: z.array(idSchema).max(MAX_HOLDERS),
})
export type UnmaskRequest = z.infer<typeof unmaskRequestSchema>

/** A share a survivor holds of another holder's secret, revealed in round 3. */
export const revealedShareSchema = z.strictObject({ owner: idSchema, y: bytes(SHAMIR_SHARE_BYTES) })
export type RevealedShare = z.infer<typeof revealedShareSchema>

/** Round 3, survivor → aggregator: seed shares of every survivor, mask-key shares of every dropped holder. */
export const unmaskResponseSchema = z.strictObject({
  from: idSchema,
  seedShares: z.array(revealedShareSchema).max(MAX_HOLDERS),
  keyShares: z.array(revealedShareSchema).max(MAX_HOLDERS),
})
export type UnmaskResponse = z.infer<typeof unmaskResponseSchema>

/** Parses an untrusted message with `schema`, throwing {@link InvalidSecAggMessageError} naming the field. */
export function parseMessage<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  throw new InvalidSecAggMessageError(
    `invalid ${what}: ${issue.path.join('.') || '(root)'} ${issue.message}`,
    {
      details: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    },
  )
}

/** Checks a roster of holder ids (unique, valid, ≤ MAX_HOLDERS) and a threshold 2 ≤ t ≤ n. */
export function checkRoster(peers: readonly string[], threshold: number): string[] {
  const sorted = [...parseMessage(z.array(idSchema).min(2).max(MAX_HOLDERS), peers, 'peer list')].sort()
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new InvalidSecAggMessageError(`duplicate holder id ${sorted[i]}`)
  }
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > sorted.length) {
    throw new InvalidSecAggMessageError(
      `threshold must be an integer in 2..${sorted.length}, got ${threshold}`,
    )
  }
  return sorted
}

/** The Shamir evaluation point of each holder: 1 + its index in the sorted roster. */
export function sharePoints(sortedPeers: readonly string[]): Map<string, number> {
  return new Map(sortedPeers.map((id, i) => [id, i + 1]))
}
