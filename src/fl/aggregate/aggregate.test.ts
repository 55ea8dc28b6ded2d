import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ClientUpdate } from '../types.js'
import { aggregatorFor, bucketing, coordinateMedian, fedAvg, krum, trimmedMean } from './index.js'

const up = (holder: string, w: number[], n = 1): ClientUpdate => ({
  holder,
  weights: Float32Array.from(w),
  numSamples: n,
})

describe('aggregators', () => {
  it('fedAvg weights by sample count', () => {
    expect(Array.from(fedAvg([up('a', [0, 10], 1), up('b', [4, 2], 3)]))).toEqual([3, 4])
  })
  it('median and trimmed mean ignore one extreme update', () => {
    const ups = [up('a', [1, 1]), up('b', [2, 3]), up('c', [3, 2]), up('evil', [-1000, 1000])]
    expect(Array.from(coordinateMedian(ups.slice(0, 3)))).toEqual([2, 2])
    expect(Array.from(coordinateMedian(ups))).toEqual([1.5, 2.5])
    expect(Array.from(trimmedMean(0.25)(ups))).toEqual([1.5, 2.5])
    expect(Array.from(trimmedMean(0)(ups.slice(0, 3)))).toEqual([2, 2])
  })
  it('krum picks an update close to the honest cluster; multi-krum averages the m best', () => {
    const ups = [
      up('a', [1, 1]),
      up('b', [1.1, 1]),
      up('c', [0.9, 1]),
      up('d', [1, 1.1]),
      up('evil', [50, -50]),
    ]
    const k = krum(1)(ups)
    expect(Math.abs(k[0] - 1) + Math.abs(k[1] - 1)).toBeLessThan(0.2)
    const mk = krum(1, 4)(ups)
    expect(Array.from(mk).map((v) => Math.round(v * 1000) / 1000)).toEqual([1, 1.025])
    expect(() => krum(1)(ups.slice(0, 4))).toThrow(expect.objectContaining({ name: 'AggregationError' }))
  })
  it('bucketing averages within buckets before the robust rule', () => {
    const ups = [up('a', [1]), up('b', [3]), up('c', [5]), up('d', [7])]
    const agg = bucketing(2, coordinateMedian, 1)
    const v = agg(ups)[0]
    expect([3, 4, 5]).toContain(v) // median of two bucket means, each the mean of two of {1,3,5,7}
  })
  it('rejects mismatched lengths and non-finite weights, naming the holder', () => {
    expect(() => fedAvg([up('a', [1, 2]), up('b', [1])])).toThrow(/'b' has 1 weights/)
    expect(() => coordinateMedian([up('a', [Number.NaN])])).toThrow(/'a' has a non-finite weight/)
    expect(() => fedAvg([])).toThrow(/at least 1/)
    expect(() => aggregatorFor({ kind: 'trimmed-mean', beta: 0.5 })).toThrow(/β/)
  })
  it('every rule returns a value inside the per-coordinate range of the updates', () => {
    const arb = fc.array(
      fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 3 }),
      {
        minLength: 5,
        maxLength: 9,
      },
    )
    fc.assert(
      fc.property(arb, (rows) => {
        const ups = rows.map((r, i) => up(`h${i}`, r, i + 1))
        for (const agg of [fedAvg, coordinateMedian, trimmedMean(0.2), krum(1, 2)]) {
          const out = agg(ups)
          for (let j = 0; j < 3; j++) {
            const col = ups.map((u) => u.weights[j])
            expect(out[j]).toBeGreaterThanOrEqual(Math.min(...col) - 1e-3)
            expect(out[j]).toBeLessThanOrEqual(Math.max(...col) + 1e-3)
          }
        }
      }),
      { numRuns: 50 },
    )
  })
})
