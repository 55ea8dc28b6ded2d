import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../data/load.js'
import { dirichletPartition } from '../data/partition.js'
import { createRng } from '../data/rng.js'
import type { Dataset } from '../data/schema.js'
import { subset, trainTestSplit } from '../data/split.js'
import { allocateShares } from './contribution/shares.js'
import { runFederated } from './simulate.js'

const BUDGET = 10n ** 18n

/** Four holders; the last one misbehaves with its data. The owner keeps a validation split. */
async function sharesWith(cheat: (d: Dataset) => Dataset, method: 'gtg-shapley' | 'loo', file: string) {
  const soy = file.startsWith('soybean')
  const ds = loadCsv(
    readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8'),
    soy ? { target: 'Class', categorical: 'all' } : { target: 'diagnosis' },
  )
  const { train, test: validation } = trainTestSplit(ds, { seed: 6, testFraction: 0.2 })
  const parts = dirichletPartition(train, { holders: 4, alpha: 100, seed: 6 })
  parts[3] = cheat(parts[3])
  const r = await runFederated({
    holders: parts.map((data, i) => ({ id: `h${i}`, data })),
    model: { kind: 'logreg' },
    rounds: 15,
    aggregator: { kind: 'fedavg' },
    local: { epochs: 1, batchSize: 32, lr: 0.1 },
    seed: 6,
    valuation: { validation, method },
  })
  r.classifier.net.dispose()
  const shares = allocateShares(r.contributions!, BUDGET)
  return { shares, values: r.contributions!, rounds: r.history }
}

/** Keeps a quarter of the rows and repeats them 4× (same sample count, a quarter of the information). */
const duplicate = (d: Dataset): Dataset => {
  const q = Math.floor(d.n / 4)
  return subset(
    d,
    Array.from({ length: 4 * q }, (_, i) => i % q),
  )
}
/** Replaces every label with a random class. */
const relabel = (d: Dataset): Dataset => {
  const rng = createRng(9)
  const k = d.schema.target.classes.length
  return { ...d, y: Int32Array.from(d.y, () => Math.floor(rng() * k)) }
}

describe('contribution shares (GTG-Shapley on the owner validation set)', () => {
  for (const file of ['wdbc-breast-cancer.csv', 'soybean-disease.csv']) {
    it(`${file}: duplicated or relabelled data earns less than every honest holder; shares sum to budget`, async () => {
      // control: with its honest data the same holder is not the lowest earner
      const control = (await sharesWith((d) => d, 'gtg-shapley', file)).shares
      // biome-ignore lint/complexity/useMathMinMax: bigint shares (Math.min takes numbers)
      expect(control[3] > control.slice(0, 3).reduce((a, b) => (a < b ? a : b))).toBe(true)
      for (const cheat of [duplicate, relabel]) {
        const { shares, values, rounds } = await sharesWith(cheat, 'gtg-shapley', file)
        expect(shares.reduce((a, b) => a + b, 0n)).toBe(BUDGET)
        expect(rounds.every((r) => r.values?.length === 4)).toBe(true)
        // biome-ignore lint/complexity/useMathMinMax: bigint shares (Math.min takes numbers)
        const honestMin = shares.slice(0, 3).reduce((a, b) => (a < b ? a : b))
        expect(shares[3] < honestMin, `${cheat.name}: values ${values.map((v) => v.toFixed(4))}`).toBe(true)
      }
    })
  }
  it('leave-one-out also ranks the relabelling holder last', async () => {
    const { values } = await sharesWith(relabel, 'loo', 'soybean-disease.csv')
    expect(values[3]).toBeLessThan(Math.min(...values.slice(0, 3)))
  })
})

describe('contribution under secure aggregation (only sums of random groups of 2 are seen)', () => {
  it('a relabelling holder still earns less than every honest holder', async () => {
    const ds = loadCsv(readFileSync(new URL('../../data/soybean-disease.csv', import.meta.url), 'utf8'), {
      target: 'Class',
      categorical: 'all',
    })
    const { train, test: validation } = trainTestSplit(ds, { seed: 6, testFraction: 0.2 })
    const parts = dirichletPartition(train, { holders: 6, alpha: 100, seed: 6 })
    parts[5] = relabel(parts[5])
    const r = await runFederated({
      holders: parts.map((data, i) => ({ id: `h${i}`, data })),
      model: { kind: 'logreg' },
      rounds: 15,
      aggregator: { kind: 'fedavg' },
      local: { epochs: 1, batchSize: 32, lr: 0.1 },
      seed: 6,
      valuation: { validation, method: 'gtg-shapley', groupSize: 2 },
    })
    r.classifier.net.dispose()
    const v = r.contributions!
    expect(v[5], v.map((x) => x.toFixed(3)).join(' ')).toBeLessThan(Math.min(...v.slice(0, 5)))
    expect(allocateShares(v, BUDGET).reduce((a, b) => a + b, 0n)).toBe(BUDGET)
  })
})
