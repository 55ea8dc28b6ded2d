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

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n
  let b = mod(base)
  let e = exp
  while (e > 0n) {
    if (e & 1n) result = (result * b) % SHAMIR_PRIME
    b = (b * b) % SHAMIR_PRIME
    e >>= 1n
  }
  return result
}

const bytesToBig = (bytes: Uint8Array): bigint => {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return v
}

function bigToBytes(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = v
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  if (x !== 0n) throw new ReconstructionError(`value does not fit in ${length} bytes`)
  return out
}

/** A uniformly random field element, by rejection sampling on 257-bit strings. */
function randomFieldElement(): bigint {
  for (;;) {
    const bytes = randomBytes(SHAMIR_SHARE_BYTES)
    bytes[0] &= 0x01 // keep 257 bits
    const v = bytesToBig(bytes)
    if (v < SHAMIR_PRIME) return v
  }
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
  const coefficients = [bytesToBig(secret)]
  for (let i = 1; i < threshold; i++) coefficients.push(randomFieldElement())
  return xs.map((x) => {
    const bx = BigInt(x)
    let y = 0n
    for (let i = coefficients.length - 1; i >= 0; i--) y = (y * bx + coefficients[i]) % SHAMIR_PRIME
    return bigToBytes(y, SHAMIR_SHARE_BYTES)
  })
}

let lastPoints = ''
let lastLambdas: bigint[] = []

/**
 * Lagrange coefficients λ_i = Π_{j≠i} x_j / (x_j − x_i) for interpolation at 0, with one modular inversion
 * for the whole set (Montgomery's batch trick). The aggregator of a complete-graph round reconstructs many
 * secrets from the same responders, so the last set is memoised.
 */
function lagrangeAtZero(xs: readonly number[]): bigint[] {
  const key = xs.join(',')
  if (key === lastPoints) return lastLambdas
  const nums: bigint[] = []
  const dens: bigint[] = []
  for (const [i, x] of xs.entries()) {
    let num = 1n
    let den = 1n
    for (let j = 0; j < xs.length; j++) {
      if (j === i) continue
      num = (num * BigInt(xs[j])) % SHAMIR_PRIME
      den = mod(den * BigInt(xs[j] - x))
    }
    nums.push(num)
    dens.push(den)
  }
  const prefix: bigint[] = [] // prefix[i] = d_0 · … · d_(i−1)
  let acc = 1n
  for (const d of dens) {
    prefix.push(acc)
    acc = (acc * d) % SHAMIR_PRIME
  }
  let inverse = modPow(acc, SHAMIR_PRIME - 2n) // (d_0 · … · d_(i))⁻¹, walking i down
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
