import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from './load.js'
import { trainTestSplit } from './split.js'

const read = (f: string) => readFileSync(new URL(`../../data/${f}`, import.meta.url), 'utf8')

describe('loadCsv on the vendored data sets', () => {
  it('WDBC: 569 rows, 30 numeric features, 2 classes', () => {
    const ds = loadCsv(read('wdbc-breast-cancer.csv'), { target: 'diagnosis' })
    expect([ds.n, ds.d]).toEqual([569, 30])
    expect(ds.schema.target.classes).toEqual(['benign', 'malignant'])
    expect(ds.schema.features.every((f) => f.kind === 'numeric')).toBe(true)
    expect(ds.x[0]).toBeCloseTo(17.99, 4)
    expect(ds.y[0]).toBe(1)
  })
  it('soybean: categorical codes with NA as NaN, 19 classes', () => {
    const ds = loadCsv(read('soybean-disease.csv'), { target: 'Class', categorical: 'all' })
    expect([ds.n, ds.d]).toEqual([683, 35])
    expect(ds.schema.target.classes).toHaveLength(19)
    const date = ds.schema.features[0]
    expect(date.kind === 'categorical' && date.categories).toEqual(['0', '1', '2', '3', '4', '5', '6'])
    expect(Array.from(ds.x).filter(Number.isNaN).length).toBeGreaterThan(0)
  })
  it('Pima: per-column missing markers become NaN', () => {
    const ds = loadCsv(read('pima-diabetes.csv'), {
      target: 'diabetes',
      missing: { glucose: ['0'], insulin: ['0'] },
    })
    const g = ds.schema.features.findIndex((f) => f.name === 'glucose')
    let nan = 0
    for (let r = 0; r < ds.n; r++) if (Number.isNaN(ds.x[r * ds.d + g])) nan++
    expect(nan).toBe(5)
  })
  it("validates a holder's file against the job schema, naming the column", () => {
    const schema = loadCsv(read('wdbc-breast-cancer.csv'), { target: 'diagnosis' }).schema
    const ok = 'mean_radius,diagnosis\n1,benign\n'
    const one = { ...schema, features: schema.features.slice(0, 1) }
    expect(loadCsv(ok, { schema: one }).n).toBe(1)
    expect(() => loadCsv('diagnosis\nbenign\n', { schema: one })).toThrow(/Column 'mean_radius' required/)
    expect(() => loadCsv('mean_radius,diagnosis\nabc,benign\n', { schema: one })).toThrow(
      /Column 'mean_radius' row 1: 'abc' is not a number/,
    )
    expect(() => loadCsv('mean_radius,diagnosis\n1,maybe\n', { schema: one })).toThrow(
      expect.objectContaining({ name: 'SchemaMismatchError' }),
    )
    expect(() => loadCsv(ok, { schema: { ...one, target: { name: 'diagnosis', classes: ['x'] } } })).toThrow()
  })
  it('split is deterministic, stratified and disjoint', () => {
    const ds = loadCsv(read('wdbc-breast-cancer.csv'), { target: 'diagnosis' })
    const a = trainTestSplit(ds, { seed: 7, testFraction: 0.2 })
    const b = trainTestSplit(ds, { seed: 7, testFraction: 0.2 })
    const c = trainTestSplit(ds, { seed: 8, testFraction: 0.2 })
    expect(a.test.x).toEqual(b.test.x)
    expect(a.test.x).not.toEqual(c.test.x)
    expect(a.train.n + a.test.n).toBe(569)
    const malignantShare = (y: Int32Array) => y.reduce((s, v) => s + v, 0) / y.length
    expect(Math.abs(malignantShare(a.test.y) - malignantShare(ds.y))).toBeLessThan(0.01)
  })
})
