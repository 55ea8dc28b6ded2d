import { InvalidPrivacyParameterError } from './errors.js'

/** A vector after L2 clipping, with its norm before clipping. */
export interface Clipped {
  values: Float64Array
  /** L2 norm of the input. */
  norm: number
  /** Factor applied: min(1, C / norm). */
  scale: number
}

/** The L2 norm of a vector. */
export function l2Norm(values: ArrayLike<number>): number {
  let s = 0
  for (let i = 0; i < values.length; i++) s += values[i] * values[i]
  return Math.sqrt(s)
}

/**
 * Scales `values` down so that its L2 norm is at most `clipNorm` (C); vectors already inside are unchanged.
 * This bounds one holder's influence on the sum (its sensitivity) by C.
 */
export function clipL2(values: ArrayLike<number>, clipNorm: number): Clipped {
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) {
    throw new InvalidPrivacyParameterError(`clipNorm must be a positive finite number, got ${clipNorm}`)
  }
  const norm = l2Norm(values)
  if (!Number.isFinite(norm)) throw new InvalidPrivacyParameterError('update contains NaN or infinite values')
  const scale = norm > clipNorm ? clipNorm / norm : 1
  const out = new Float64Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = values[i] * scale
  return { values: out, norm, scale }
}
