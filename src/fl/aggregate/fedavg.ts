import { AggregationError } from '../errors.js'
import type { ClientUpdate } from '../types.js'
import { checkUpdates } from './check.js'

/**
 * FedAvg (McMahan et al. 2017): the average of the updates' weights, weighted by their sample counts
 * (accumulated in float64).
 */
export function fedAvg(updates: readonly ClientUpdate[]): Float32Array {
  const d = checkUpdates(updates)
  const total = updates.reduce((s, u) => s + u.numSamples, 0)
  if (total <= 0) throw new AggregationError('FedAvg needs a positive total sample count.')
  const acc = new Float64Array(d)
  for (const u of updates) {
    const w = u.numSamples / total
    for (let i = 0; i < d; i++) acc[i] += w * u.weights[i]
  }
  return Float32Array.from(acc)
}
