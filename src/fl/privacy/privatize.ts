import { clipL2 } from './clip.js'
import { gaussianNoise } from './gaussian.js'

/** Parameters of the per-holder Gaussian mechanism. */
export interface GaussianMechanism {
  /** L2 clip norm C: the most one holder's update can move the sum. */
  clipNorm: number
  /** σ: the noise std is σ · C. Charge the same σ to the holder's accountant. */
  noiseMultiplier: number
}

/** A privatized update and what clipping did to it. */
export interface PrivatizedUpdate {
  values: Float64Array
  /** L2 norm before clipping. */
  norm: number
  /** Whether the update was scaled down. */
  clipped: boolean
}

/**
 * Clips an update to L2 norm C and adds N(0, (σC)²) noise to every coordinate: the Gaussian mechanism with
 * sensitivity C under add/remove of this holder. Charge `{ noiseMultiplier: σ }` to the holder's
 * {@link PrivacyAccountant} BEFORE releasing the result.
 */
export function privatizeUpdate(update: ArrayLike<number>, mechanism: GaussianMechanism): PrivatizedUpdate {
  const { values, norm, scale } = clipL2(update, mechanism.clipNorm)
  const noise = gaussianNoise(values.length, mechanism.noiseMultiplier * mechanism.clipNorm)
  for (let i = 0; i < values.length; i++) values[i] += noise[i]
  return { values, norm, clipped: scale < 1 }
}
