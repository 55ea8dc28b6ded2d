import type { PrivacyAccountant } from '../privacy/accountant.js'
import { PrivacyBudgetExceededError } from '../privacy/errors.js'
import { privatizeUpdate } from '../privacy/privatize.js'
import type { FlJobSpec } from './protocol.js'

/** A holder's update ready to send: new weights, the weight it carries, and privacy spent so far. */
export interface PreparedUpdate {
  weights: Float32Array
  /** `w − g` after DP (the SecAgg input before weighting). */
  delta: Float64Array
  numSamples: number
  privacy?: { epsilon: number; delta: number }
}

/**
 * Applies the job's DP to a locally trained update: clips `w − g` to the clip norm and adds Gaussian
 * noise, charging the holder's accountant first (throws PrivacyBudgetExceededError, charging nothing, when
 * the round would pass the holder's budget). Without DP the update passes through.
 */
export function prepareUpdate(
  spec: FlJobSpec,
  global: Float32Array,
  trained: Float32Array,
  numSamples: number,
  accountant: PrivacyAccountant | undefined,
): PreparedUpdate {
  const raw = Float64Array.from(trained, (w, i) => w - global[i])
  if (!spec.privacy) return { weights: trained, delta: raw, numSamples }
  let privacy: PreparedUpdate['privacy']
  if (spec.privacy.noiseMultiplier > 0) {
    if (!accountant) throw new PrivacyBudgetExceededError('This DP job needs a privacy budget')
    const spent = accountant.charge({ noiseMultiplier: spec.privacy.noiseMultiplier })
    privacy = { epsilon: spent.epsilon, delta: spent.delta }
  }
  const { values } = privatizeUpdate(raw, spec.privacy)
  const weights = Float32Array.from(global, (g, i) => g + values[i])
  return { weights, delta: values, numSamples, privacy }
}
