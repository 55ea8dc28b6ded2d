import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { datasetToCsv, type FlDemoJob, runFlDemo } from '../../src/demo/fl-demo.js'

/** The payment and lineage outcomes every co-training job of the demo must have. */
function expectPaidAndTraced(j: FlDemoJob, holders: number) {
  expect(j.holders).toHaveLength(holders)
  expect(j.rounds).toBe(40)
  expect(j.accuracy).toHaveLength(40)
  // Federated (non-IID) within 2 accuracy points of the same model trained centrally, same test rows.
  expect(Math.abs(j.federatedAccuracy - j.centralAccuracy)).toBeLessThanOrEqual(0.02)
  // Shares sum exactly to the budget; each holder's on-chain balance grew by exactly its payout.
  const budget = BigInt(j.budget)
  expect(budget).toBeGreaterThan(0n)
  expect(j.holders.reduce((a, h) => a + BigInt(h.payout), 0n)).toBe(budget)
  expect(j.holders.reduce((a, h) => a + h.share, 0)).toBeCloseTo(1, 9)
  for (const h of j.holders) expect(h.balanceChange).toBe(h.payout)
  expect(BigInt(j.ownerBalanceChange)).toBe(-budget)
  // Every redemption on-chain cites the lineage root; the lineage verifies against the anchored root.
  expect(j.contributionsOnChain).toBe(j.holders.filter((h) => BigInt(h.payout) > 0n).length)
  expect(j.problems).toEqual([])
  expect(j.lineageVerified).toBe(true)
  expect(j.anchoredOnChain).toBe(true)
  expect(j.modelHash).toMatch(/^[0-9a-f]{64}$/)
}

describe('datasetToCsv (the holder files the demo writes)', () => {
  it.each([
    ['wdbc-breast-cancer.csv', { target: 'diagnosis' }],
    ['soybean-disease.csv', { target: 'Class', categorical: 'all' as const }],
  ])('%s: encoded rows (missing values included) survive the round trip', (file, o) => {
    const ds = loadCsv(readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8'), o)
    const back = loadCsv(datasetToCsv(ds), { schema: ds.schema })
    expect(back.n).toBe(ds.n)
    expect(Buffer.from(back.x.buffer)).toEqual(Buffer.from(ds.x.buffer))
    expect(Array.from(back.y)).toEqual(Array.from(ds.y))
    if (file.startsWith('soybean')) expect(ds.x.some(Number.isNaN)).toBe(true)
  })
})

describe('mutirao fl demo: co-train (hospitals, farms) on a local chain, then serve on the market', () => {
  // Holders are `mutirao fl join` processes (bin/mutirao.js: needs a built dist/), the owner runs here.
  it('bounds, payments = shares = budget, anchored lineage, served predictions = local onnxruntime', async () => {
    const r = await runFlDemo({ rounds: 40, every: 20 })
    const h = r.hospitals
    const f = r.farms
    console.info(
      `[fl-demo] ${r.seconds.toFixed(1)} s; WDBC fed ${h.federatedAccuracy.toFixed(4)} central ${h.centralAccuracy.toFixed(4)} ` +
        `shares ${h.holders.map((x) => x.share.toFixed(3))}; soybean fed ${f.federatedAccuracy.toFixed(4)} central ` +
        `${f.centralAccuracy.toFixed(4)} shares ${f.holders.map((x) => x.share.toFixed(3))}; served ${r.serve?.accuracy.toFixed(4)}`,
    )
    expect(h.centralAccuracy).toBeGreaterThan(0.93)
    expect(f.centralAccuracy).toBeGreaterThan(0.85)
    expectPaidAndTraced(h, 3)
    expectPaidAndTraced(f, 4)
    expect(h.secureAggregation).toBe(true)
    expect(h.valuation).toBe('samples')
    expect(f.valuation).toBe('gtg-shapley')
    // Under SecAgg, shares follow the declared sample counts.
    const rows = h.holders.reduce((a, x) => a + x.rows, 0)
    for (const x of h.holders) expect(x.share).toBeCloseTo(x.rows / rows, 6)

    const s = r.serve!
    expect(s.samples).toBe(142)
    expect(s.labelsEqualLocal).toBe(true)
    expect(s.maxAbsDiffVsLocal).toBeLessThanOrEqual(1e-6)
    expect(s.providers.every((p) => p.units > 0)).toBe(true)
    // The network's predictions score what the coordinator measured with tfjs (ties aside: one row).
    expect(Math.abs(s.accuracy - h.federatedAccuracy)).toBeLessThanOrEqual(1 / s.samples + 1e-9)
    expect(r.ok).toBe(true)
  }, 150_000)
})
