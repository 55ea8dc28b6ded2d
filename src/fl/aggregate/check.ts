import { AggregationError } from '../errors.js'
import type { ClientUpdate } from '../types.js'

/** Checks that there is at least `min` update and all have the same length and finite values; returns it. */
export function checkUpdates(updates: readonly ClientUpdate[], min = 1): number {
  if (updates.length < min) {
    throw new AggregationError(`Aggregation needs at least ${min} update(s), got ${updates.length}.`)
  }
  const d = updates[0].weights.length
  for (const u of updates) {
    if (u.weights.length !== d) {
      throw new AggregationError(`Update from '${u.holder}' has ${u.weights.length} weights; expected ${d}.`)
    }
    if (!(u.numSamples >= 0) || !Number.isFinite(u.numSamples)) {
      throw new AggregationError(`Update from '${u.holder}' has an invalid sample count ${u.numSamples}.`)
    }
    for (let i = 0; i < d; i++) {
      if (!Number.isFinite(u.weights[i])) {
        throw new AggregationError(`Update from '${u.holder}' has a non-finite weight at index ${i}.`, {
          metaMessages: ['Drop this update from the round.'],
        })
      }
    }
  }
  return d
}
