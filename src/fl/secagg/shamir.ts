import { randomBytes } from '@noble/hashes/utils.js'
import { InvalidSecAggMessageError, ReconstructionError, TooFewSurvivorsError } from './errors.js'

/**
 * The field of the shares: integers modulo the smallest prime above 2^256, 2^256 + 297, so that any 32-byte
 * secret fits and a share takes 33 bytes (a share travels once per neighbour, which dominates what a holder
 * sends besides its masked vector).
 */
export const SHAMIR_PRIME = (1n << 256n) + 297n

/** Byte length of one share's y-coordinate (big-endian, 257 bits rounded up). */
export const SHAMIR_SHARE_BYTES = 33

/** Byte length of a secret that can be shared (seeds and X25519 keys). */
export const SHAMIR_SECRET_BYTES = 32

/** One Shamir share: the evaluation point x (a small positive integer) and the value y as bytes. */
export interface ShamirShare {
  x: number
  y: Uint8Array
}

const mod = (a: bigint): bigint => {
  const r = a % SHAMIR_PRIME
  return r < 0n ? r + SHAMIR_PRIME : r
}

/** The inverse of `a` modulo the prime (extended Euclid: ~5× faster than a^(p−2) with bigints); a ≠ 0. */
function modInverse(a: bigint): bigint {
  let [r0, r1] = [SHAMIR_PRIME, mod(a)]
  let [t0, t1] = [0n, 1n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[t0, t1] = [t1, t0 - q * t1]
  }
  if (r0 !== 1n) throw new ReconstructionError('no inverse: the share points are not distinct')
  return mod(t0)
}

const bytesToBig = (bytes: Uint8Array): bigint =>
  bytes.length === 0
    ? 0n
    : BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex')}`)

function bigToBytes(v: bigint, length: number): Uint8Array {
  const hex = v.toString(16)
  if (v < 0n || hex.length > length * 2)
    throw new ReconstructionError(`value does not fit in ${length} bytes`)
  return new Uint8Array(Buffer.from(hex.padStart(length * 2, '0'), 'hex'))
}

/** Bytes drawn per random field element: 384 bits reduced modulo the 257-bit prime (bias < 2^−127). */
const WIDE_BYTES = 48

/** `count` uniformly random field elements from one draw of the system's CSPRNG (wide reduction). */
function randomFieldElements(count: number): bigint[] {
  const bytes = randomBytes(count * WIDE_BYTES)
  return Array.from({ length: count }, (_, i) =>
    mod(bytesToBig(bytes.subarray(i * WIDE_BYTES, (i + 1) * WIDE_BYTES))),
  )
}

const LOW_256 = (1n << 256n) - 1n

/**
 * v mod p for 0 ≤ v < 2^400 without a division: 2^256 ≡ −297 (mod p), so v = hi·2^256 + lo ≡ lo − 297·hi, which
 * lies in (−p, 2^256) for such v (~1.8× faster than `%` in Horner's loop of {@link splitSecret}).
 */
function reduceNear(v: bigint): bigint {
  const r = (v & LOW_256) - 297n * (v >> 256n)
  return r < 0n ? r + SHAMIR_PRIME : r
}

function checkPoints(xs: readonly number[]): void {
  const seen = new Set<number>()
  for (const x of xs) {
    if (!Number.isInteger(x) || x < 1 || x > 1_000_000) {
      throw new InvalidSecAggMessageError(`share point x must be an integer in 1..1000000, got ${x}`)
    }
    if (seen.has(x)) throw new InvalidSecAggMessageError(`duplicate share point x=${x}`)
    seen.add(x)
  }
}

/**
 * Splits a 32-byte secret into shares at the points `xs` so that any `threshold` of them reconstruct it and
 * fewer reveal nothing (a random polynomial of degree threshold − 1 with the secret as constant term).
 */
export function splitSecret(secret: Uint8Array, xs: readonly number[], threshold: number): Uint8Array[] {
  if (secret.length !== SHAMIR_SECRET_BYTES) {
    throw new InvalidSecAggMessageError(`secret must be ${SHAMIR_SECRET_BYTES} bytes, got ${secret.length}`)
  }
  checkPoints(xs)
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > xs.length) {
    throw new InvalidSecAggMessageError(`threshold must be in 1..${xs.length}, got ${threshold}`)
  }
  const coefficients = [bytesToBig(secret), ...randomFieldElements(threshold - 1)]
  return xs.map((x) => {
    const bx = BigInt(x)
    let y = 0n
    for (let i = coefficients.length - 1; i >= 0; i--) y = reduceNear(y * bx + coefficients[i]) // < p · 2^20 + p
    return bigToBytes(y, SHAMIR_SHARE_BYTES)
  })
}

let lastPoints = ''
let lastLambdas: bigint[] = []

/**
 * Lagrange coefficients λ_i = Π_{j≠i} x_j / (x_j − x_i) for interpolation at 0, with one modular inversion
 * for the whole set (Montgomery's batch trick). The points are small integers (≤ 10^6), so each numerator and
 * denominator is first formed exactly (a product of t − 1 small factors, < 2^20 each) and reduced once: t²
 * small multiplications instead of 2t² 256-bit modular ones. The aggregator of a complete-graph round
 * reconstructs many secrets from the same responders, so the last set is memoised.
 */
function lagrangeAtZero(xs: readonly number[]): bigint[] {
  const key = xs.join(',')
  if (key === lastPoints) return lastLambdas
  const nums: bigint[] = []
  const dens: bigint[] = []
  for (const [i, x] of xs.entries()) {
    let num = 1n
    let den = 1n
    // factors multiplied as numbers while they stay exact (< 2^53), then folded into the bigint
    let numPart = 1
    let denPart = 1
    for (let j = 0; j < xs.length; j++) {
      if (j === i) continue
      const d = xs[j] - x
      if (
        Math.abs(numPart * xs[j]) > Number.MAX_SAFE_INTEGER ||
        Math.abs(denPart * d) > Number.MAX_SAFE_INTEGER
      ) {
        num *= BigInt(numPart)
        den *= BigInt(denPart)
        numPart = 1
        denPart = 1
      }
      numPart *= xs[j]
      denPart *= d
    }
    nums.push(mod(num * BigInt(numPart)))
    dens.push(mod(den * BigInt(denPart)))
  }
  const prefix: bigint[] = [] // prefix[i] = d_0 · … · d_(i−1)
  let acc = 1n
  for (const d of dens) {
    prefix.push(acc)
    acc = (acc * d) % SHAMIR_PRIME
  }
  let inverse = modInverse(acc) // (d_0 · … · d_(i))⁻¹, walking i down
  const lambdas = new Array<bigint>(xs.length)
  for (let i = xs.length - 1; i >= 0; i--) {
    lambdas[i] = (((nums[i] * inverse) % SHAMIR_PRIME) * prefix[i]) % SHAMIR_PRIME
    inverse = (inverse * dens[i]) % SHAMIR_PRIME
  }
  lastPoints = key
  lastLambdas = lambdas
  return lambdas
}

/**
 * Reconstructs a secret from shares by Lagrange interpolation at 0. Throws {@link TooFewSurvivorsError}
 * with fewer than `threshold` shares, and {@link ReconstructionError} if the result is not a 32-byte value
 * (which means the shares are inconsistent).
 */
export function combineShares(shares: readonly ShamirShare[], threshold: number): Uint8Array {
  if (shares.length < threshold) {
    throw new TooFewSurvivorsError(`need ${threshold} shares to reconstruct a secret, got ${shares.length}`)
  }
  const used = shares.slice(0, threshold)
  checkPoints(used.map((s) => s.x))
  const lambdas = lagrangeAtZero(used.map((s) => s.x))
  let secret = 0n
  for (let i = 0; i < used.length; i++) {
    if (used[i].y.length !== SHAMIR_SHARE_BYTES) {
      throw new InvalidSecAggMessageError(
        `share y must be ${SHAMIR_SHARE_BYTES} bytes, got ${used[i].y.length}`,
      )
    }
    const yi = bytesToBig(used[i].y)
    if (yi >= SHAMIR_PRIME) throw new InvalidSecAggMessageError('share y is not a field element')
    secret = (secret + yi * lambdas[i]) % SHAMIR_PRIME
  }
  if (secret >= 1n << 256n) {
    throw new ReconstructionError(
      'shares are inconsistent: the reconstructed value is not a 32-byte secret',
      {
        metaMessages: ['Some holder sent a corrupted share; the round cannot be unmasked with these shares.'],
      },
    )
  }
  return bigToBytes(secret, SHAMIR_SECRET_BYTES)
}
