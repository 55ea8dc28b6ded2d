import { FixedPointRangeError } from './errors.js'

/** Default number of fractional bits: values are stored as round(x · 2^16). */
export const DEFAULT_SCALE_BITS = 16

/** Options of the fixed-point encoding into the ring Z/2^32. */
export interface FixedPointOptions {
  /** How many holders' vectors will be summed; the per-value bound shrinks as this grows. */
  holders: number
  /** Fractional bits (0–24). Precision of one value is 2^-(scaleBits+1); default 16. */
  scaleBits?: number
}

function checkOptions(holders: number, scaleBits: number): void {
  if (!Number.isInteger(holders) || holders < 1) {
    throw new FixedPointRangeError(`holders must be a positive integer, got ${holders}`)
  }
  if (!Number.isInteger(scaleBits) || scaleBits < 0 || scaleBits > 24) {
    throw new FixedPointRangeError(`scaleBits must be an integer in 0..24, got ${scaleBits}`)
  }
}

/**
 * Largest encoded integer magnitude per value such that the sum of `holders` values can never wrap around
 * 2^32 when read back as a signed 32-bit integer: floor((2^31 − 1) / holders).
 */
export function maxEncodedMagnitude(holders: number): number {
  checkOptions(holders, DEFAULT_SCALE_BITS)
  return Math.floor((2 ** 31 - 1) / holders)
}

/**
 * Largest |x| a holder may encode so that the sum of `holders` vectors cannot wrap:
 * ≈ 2^(31 − scaleBits) / holders (32,768 for one holder at 16 bits, 655 for 50 holders).
 *
 * @example
 * fixedPointBound(10) // ≈ 3276.7
 */
export function fixedPointBound(holders: number, scaleBits = DEFAULT_SCALE_BITS): number {
  checkOptions(holders, scaleBits)
  return maxEncodedMagnitude(holders) / 2 ** scaleBits
}

/**
 * Encodes floats into Z/2^32 as round(x · 2^scaleBits) in two's complement.
 * Throws {@link FixedPointRangeError} for NaN, ±∞ or |x| above {@link fixedPointBound} (clip updates first).
 */
export function encodeFixedPoint(values: ArrayLike<number>, options: FixedPointOptions): Uint32Array {
  const scaleBits = options.scaleBits ?? DEFAULT_SCALE_BITS
  checkOptions(options.holders, scaleBits)
  const scale = 2 ** scaleBits
  const limit = maxEncodedMagnitude(options.holders)
  const out = new Uint32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const q = Math.round(values[i] * scale)
    if (!Number.isFinite(q) || Math.abs(q) > limit) {
      throw new FixedPointRangeError(`value ${values[i]} at index ${i} is outside the fixed-point range`, {
        details: `|x| must be ≤ ${limit / scale} for ${options.holders} holders at ${scaleBits} fractional bits`,
        metaMessages: ['Clip the update (L2 or per-coordinate) before encoding, or lower scaleBits.'],
      })
    }
    out[i] = q >>> 0
  }
  return out
}

/** Decodes a ring vector (one encoded vector, or a sum of them) back to floats. */
export function decodeFixedPoint(encoded: Uint32Array, scaleBits = DEFAULT_SCALE_BITS): Float64Array {
  checkOptions(1, scaleBits)
  const scale = 2 ** scaleBits
  const out = new Float64Array(encoded.length)
  for (let i = 0; i < encoded.length; i++) out[i] = (encoded[i] | 0) / scale
  return out
}

/** acc ← acc + v (mod 2^32), in place. */
export function ringAddInto(acc: Uint32Array, v: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] + v[i]) >>> 0
}

/** acc ← acc − v (mod 2^32), in place. */
export function ringSubInto(acc: Uint32Array, v: Uint32Array): void {
  for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] - v[i]) >>> 0
}

/** Serialises a ring vector as little-endian uint32 bytes (the wire form of a masked input). */
export function ringToBytes(v: Uint32Array): Uint8Array {
  const out = new Uint8Array(v.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < v.length; i++) view.setUint32(i * 4, v[i], true)
  return out
}

/** Parses little-endian uint32 bytes back into a ring vector (length must be a multiple of 4). */
export function ringFromBytes(bytes: Uint8Array): Uint32Array {
  const out = new Uint32Array(bytes.length >>> 2)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true)
  return out
}
