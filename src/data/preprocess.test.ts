import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { columnStats, mergeColumnStats } from './column-stats.js'
import { loadCsv } from './load.js'
import { applyPreprocessing, fitPreprocessing, preprocessingFromStats } from './preprocess.js'
import { subset } from './split.js'

const csv = 'n,c,t\n1,a,x\n3,b,y\nNA,a,x\n5,NA,y\n'

describe('preprocessing', () => {
  it('imputes, one-hot encodes and standardizes with training statistics', () => {
    const ds = loadCsv(csv, { target: 't' })
    const p = fitPreprocessing(ds)
    expect(p.names).toEqual(['n', 'c=a', 'c=b'])
    expect(p.fill[0]).toBe(3)
    expect(p.fill[1]).toBe(0) // mode 'a'
    const out = applyPreprocessing(p, ds.x)
    // every model column has mean 0 and variance 1 on the training data
    for (let k = 0; k < 3; k++) {
      const col = [0, 1, 2, 3].map((r) => out[r * 3 + k])
      const m = col.reduce((a, b) => a + b) / 4
      const v = col.reduce((a, b) => a + (b - m) ** 2, 0) / 4
      expect(m).toBeCloseTo(0, 6)
      expect(v).toBeCloseTo(1, 5)
    }
    // the NA row of 'c' is imputed to 'a'
    expect(out[3 * 3 + 1]).toBe(out[0 * 3 + 1])
  })
  it('statistics merged from holders give the same preprocessing as the pooled data', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), (cut) => {
        const ds = loadCsv(csv, { target: 't' })
        const merged = mergeColumnStats([
          columnStats(subset(ds, [...Array(cut).keys()])),
          columnStats(subset(ds, [3, 2, 1].slice(0, 4 - cut))),
        ])
        const a = preprocessingFromStats(ds.schema, merged)
        const b = fitPreprocessing(ds)
        for (let k = 0; k < a.outputDim; k++) {
          expect(a.mean[k]).toBeCloseTo(b.mean[k], 5)
          expect(a.std[k]).toBeCloseTo(b.std[k], 5)
        }
      }),
      { numRuns: 3 },
    )
  })
})
