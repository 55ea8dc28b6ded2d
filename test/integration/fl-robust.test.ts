import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { type LoadOptions, loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { trainTestSplit } from '../../src/data/split.js'
import type { AggregatorSpecSchema } from '../../src/fl/network/protocol.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

type Aggregator = z.input<typeof AggregatorSpecSchema>

/** Sign-flipped ×30 update: g − 30·(w − g). (×10 only degrades FedAvg to 0.5–0.72, run to run; ×30 collapses it.) */
const signFlip = (w: Float32Array, g: Float32Array) =>
  Float32Array.from(w, (v, i) => g[i]! - 30 * (v - g[i]!))

/** Seven non-IID holders over libp2p (the core robust test's setting); holder 0 may send sign-flipped updates. */
async function setup(file: string, options: LoadOptions, seed: number) {
  const ds = loadCsv(readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8'), options)
  const { train, test } = trainTestSplit(ds, { seed, testFraction: 0.25 })
  const parts = dirichletPartition(train, { holders: 7, alpha: 1, seed, minRows: 20 })
  const run = async (aggregator: Aggregator, attacked: boolean) => {
    const net = await startFlTestNetwork({
      spec: {
        id: `robust-${aggregator.kind}-${attacked}`,
        model: { kind: 'logreg' },
        schema: ds.schema,
        rounds: 60,
        minParticipants: 7,
        roundDeadlineMs: 20_000,
        local: { epochs: 1, batchSize: 32, lr: 0.1 },
        seed,
        aggregator,
      },
      holders: parts,
      coordinator: { test },
      holder: (i) => (attacked && i === 0 ? { tamperUpdate: signFlip } : {}),
    })
    try {
      const state = await net.coordinator.run()
      await Promise.all(net.holderRuns)
      return state.lineage!.rounds.at(-1)!.testAccuracy!
    } finally {
      await net.stop()
    }
  }
  return { run, constantBaseline: majorityShare(test.y) }
}

/** Accuracy of always predicting the most common label: what a collapsed model scores at best. */
function majorityShare(labels: Int32Array): number {
  const counts = new Map<number, number>()
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1)
  return Math.max(...counts.values()) / labels.length
}

describe('one malicious holder over the network (sign-flipped ×30 updates, 7 non-IID holders)', () => {
  it('WDBC: FedAvg collapses; median and trimmed mean stay within 3 points of the clean run', async () => {
    const { run, constantBaseline } = await setup('wdbc-breast-cancer.csv', { target: 'diagnosis' }, 1)
    const clean = await run({ kind: 'fedavg' }, false)
    const poisoned = await run({ kind: 'fedavg' }, true)
    const median = await run({ kind: 'median' }, true)
    const trimmed = await run({ kind: 'trimmed-mean', beta: 0.2 }, true)
    console.info({ clean, poisoned, median, trimmed, constantBaseline })
    expect(clean).toBeGreaterThan(0.93)
    // Collapsed: worse than always answering the commonest class (measured 0.08–0.13 over five runs).
    expect(poisoned).toBeLessThan(constantBaseline)
    expect(clean - median).toBeLessThanOrEqual(0.03)
    expect(clean - trimmed).toBeLessThanOrEqual(0.03)
  }, 120_000)

  it('soybean: multi-Krum stays within 3 points of the clean run', async () => {
    const { run } = await setup('soybean-disease.csv', { target: 'Class', categorical: 'all' }, 2)
    const clean = await run({ kind: 'fedavg' }, false)
    const krum = await run({ kind: 'krum', f: 1, m: 5 }, true)
    console.info({ clean, krum })
    expect(clean - krum).toBeLessThanOrEqual(0.03)
  }, 120_000)
})
