import { AggregationError } from '../errors.js'
import type { Aggregator } from '../types.js'
import { checkUpdates } from './check.js'

/**
 * Coordinate-wise β-trimmed mean (Yin et al. 2018): for each weight, drop the `floor(β·n)` largest and
 * smallest values and average the rest (at least one is always kept). β in [0, 0.5).
 *
 * @example const agg = trimmedMean(0.2); agg(updates)
 */
export function trimmedMean(beta: number): Aggregator {
  if (!(beta >= 0 && beta < 0.5))
    throw new AggregationError(`Trimmed-mean β must be in [0, 0.5), got ${beta}.`)
  return (updates) => {
    const d = checkUpdates(updates)
    const n = updates.length
    const t = Math.min(Math.floor(beta * n), Math.floor((n - 1) / 2))
    const out = new Float32Array(d)
    const col = new Float64Array(n)
    for (let i = 0; i < d; i++) {
      for (let k = 0; k < n; k++) col[k] = updates[k].weights[i]
      col.sort()
      let s = 0
      for (let k = t; k < n - t; k++) s += col[k]
      out[i] = s / (n - 2 * t)
    }
    return out
  }
}
