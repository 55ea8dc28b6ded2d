import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from './load.js'
import { dirichletPartition, shardPartition } from './partition.js'

const ds = loadCsv(readFileSync(new URL('../../data/soybean-disease.csv', import.meta.url), 'utf8'), {
  target: 'Class',
  categorical: 'all',
})

const classShares = (y: Int32Array, k: number) => {
  const c = new Array(k).fill(0)
  for (const v of y) c[v]++
  return c.map((v) => v / y.length)
}

describe('non-IID partitions', () => {
  it('Dirichlet: deterministic, covers every row once, skews labels', () => {
    const a = dirichletPartition(ds, { holders: 4, alpha: 0.5, seed: 1 })
    const b = dirichletPartition(ds, { holders: 4, alpha: 0.5, seed: 1 })
    expect(a.map((p) => p.n)).toEqual(b.map((p) => p.n))
    expect(a.reduce((s, p) => s + p.n, 0)).toBe(ds.n)
    expect(a.every((p) => p.n >= 10)).toBe(true)
    // label skew: total-variation distance from the global label distribution is large for alpha 0.5
    const g = classShares(ds.y, 19)
    const tv = a.map((p) => classShares(p.y, 19).reduce((s, v, i) => s + Math.abs(v - g[i]), 0) / 2)
    expect(Math.max(...tv)).toBeGreaterThan(0.25)
    const iid = dirichletPartition(ds, { holders: 4, alpha: 1000, seed: 1 })
    const tvIid = iid.map((p) => classShares(p.y, 19).reduce((s, v, i) => s + Math.abs(v - g[i]), 0) / 2)
    expect(Math.max(...tvIid)).toBeLessThan(0.12)
  })
  it('shards: each holder sees few classes', () => {
    const parts = shardPartition(ds, { holders: 5, shardsPerHolder: 2, seed: 3 })
    expect(parts.reduce((s, p) => s + p.n, 0)).toBe(ds.n)
    for (const p of parts) expect(new Set(p.y).size).toBeLessThanOrEqual(10) // an IID part of ~136 rows sees all 19
  })
})
