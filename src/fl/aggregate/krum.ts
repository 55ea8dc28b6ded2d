import { AggregationError } from '../errors.js'
import type { Aggregator } from '../types.js'
import { checkUpdates } from './check.js'

/**
 * Krum / Multi-Krum (Blanchard et al. 2017) tolerating `f` Byzantine updates: each update is scored by the
 * sum of squared distances to its `n − f − 2` nearest others; the `m` lowest-scored updates are averaged
 * (m = 1 is Krum). Needs n ≥ 2f + 3.
 */
export function krum(f: number, m = 1): Aggregator {
  return (updates) => {
    const d = checkUpdates(updates)
    const n = updates.length
    if (n < 2 * f + 3)
      throw new AggregationError(`Krum with f=${f} needs at least ${2 * f + 3} updates, got ${n}.`)
    const dist = Array.from({ length: n }, () => new Float64Array(n))
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        let s = 0
        const wa = updates[a].weights
        const wb = updates[b].weights
        for (let i = 0; i < d; i++) s += (wa[i] - wb[i]) ** 2
        dist[a][b] = s
        dist[b][a] = s
      }
    }
    const scores = dist.map((row, a) =>
      Array.from(row)
        .filter((_, b) => b !== a)
        .sort((x, y) => x - y)
        .slice(0, n - f - 2)
        .reduce((s, v) => s + v, 0),
    )
    const chosen = scores
      .map((s, a) => [s, a] as const)
      .sort((x, y) => x[0] - y[0] || x[1] - y[1])
      .slice(0, Math.max(1, Math.min(m, n)))
    const acc = new Float64Array(d)
    for (const [, a] of chosen) for (let i = 0; i < d; i++) acc[i] += updates[a].weights[i]
    return Float32Array.from(acc, (v) => v / chosen.length)
  }
}
