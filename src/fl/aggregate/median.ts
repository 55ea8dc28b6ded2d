import type { ClientUpdate } from '../types.js'
import { checkUpdates } from './check.js'

/**
 * Coordinate-wise median (Yin et al. 2018): each weight is the median of the updates' values (the mean of
 * the two middle values for an even count). Robust to fewer than half of the updates being arbitrary.
 */
export function coordinateMedian(updates: readonly ClientUpdate[]): Float32Array {
  const d = checkUpdates(updates)
  const n = updates.length
  const out = new Float32Array(d)
  const col = new Float64Array(n)
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < n; k++) col[k] = updates[k].weights[i]
    col.sort()
    out[i] = n % 2 ? col[(n - 1) / 2] : (col[n / 2 - 1] + col[n / 2]) / 2
  }
  return out
}
