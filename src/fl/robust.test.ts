import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type LoadOptions, loadCsv } from '../data/load.js'
import { dirichletPartition } from '../data/partition.js'
import { trainTestSplit } from '../data/split.js'
import type { AggregatorSpec } from './aggregate/index.js'
import { runFederated } from './simulate.js'

async function setup(file: string, options: LoadOptions, holders: number, seed: number) {
  const ds = loadCsv(readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8'), options)
  const { train, test } = trainTestSplit(ds, { seed, testFraction: 0.25 })
  const parts = dirichletPartition(train, { holders, alpha: 1, seed, minRows: 20 })
  return async (aggregator: AggregatorSpec, attacked: boolean) => {
    const r = await runFederated({
      holders: parts.map((data, i) => ({
        id: `h${i}`,
        data,
        attack: attacked && i === 0 ? { kind: 'sign-flip' as const, scale: 10 } : undefined,
      })),
      model: { kind: 'logreg' },
      rounds: 60,
      aggregator,
      local: { epochs: 1, batchSize: 32, lr: 0.1 },
      seed,
      test,
    })
    r.classifier.net.dispose()
    return r.history.at(-1)!.testAccuracy!
  }
}

describe('one malicious holder sending sign-flipped ×10 updates (non-IID, 7 holders)', () => {
  it('WDBC: FedAvg collapses; median and trimmed mean stay within 3 points of the clean FedAvg run', async () => {
    const run = await setup('wdbc-breast-cancer.csv', { target: 'diagnosis' }, 7, 1)
    const clean = await run({ kind: 'fedavg' }, false)
    expect(clean).toBeGreaterThan(0.93)
    expect(await run({ kind: 'fedavg' }, true)).toBeLessThan(0.7)
    expect(clean - (await run({ kind: 'median' }, true))).toBeLessThanOrEqual(0.03)
    expect(clean - (await run({ kind: 'trimmed-mean', beta: 0.2 }, true))).toBeLessThanOrEqual(0.03)
  })
  it('soybean: multi-Krum stays within 3 points of the clean run', async () => {
    const run = await setup('soybean-disease.csv', { target: 'Class', categorical: 'all' }, 7, 2)
    const clean = await run({ kind: 'fedavg' }, false)
    expect(clean - (await run({ kind: 'krum', f: 1, m: 5 }, true))).toBeLessThanOrEqual(0.03)
  })
})
