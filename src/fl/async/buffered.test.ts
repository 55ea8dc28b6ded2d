import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../../data/load.js'
import { dirichletPartition } from '../../data/partition.js'
import { trainTestSplit } from '../../data/split.js'
import { fedAvg } from '../aggregate/fedavg.js'
import { runFederated } from '../simulate.js'
import { createBufferedAggregator } from './buffered.js'
import { runBufferedFederated } from './simulate-async.js'

const w = (...xs: number[]) => Float32Array.from(xs)

describe('buffered asynchronous aggregation', () => {
  it('with fresh updates equals FedAvg over the buffer', () => {
    const server = createBufferedAggregator({ initial: w(0, 0), bufferSize: 2 })
    const a = { holder: 'a', weights: w(1, 2), numSamples: 10, baseVersion: 0 }
    const b = { holder: 'b', weights: w(3, 6), numSamples: 30, baseVersion: 0 }
    expect(server.submit(a)).toMatchObject({ accepted: true, staleness: 0, newVersion: null })
    expect(server.pending).toBe(1)
    expect(server.submit(b)).toMatchObject({ accepted: true, newVersion: 1 })
    expect([...server.weights()]).toEqual([...fedAvg([a, b])])
    expect(server.pending).toBe(0)
  })

  it('applies a stale update as a delta against its own base, discounted by 1/√(1+τ)', () => {
    const server = createBufferedAggregator({ initial: w(0), bufferSize: 1 })
    server.submit({ holder: 'fast', weights: w(4), numSamples: 1, baseVersion: 0 }) // v1 = 4
    server.submit({ holder: 'fast', weights: w(6), numSamples: 1, baseVersion: 1 }) // v2 = 6
    server.submit({ holder: 'fast', weights: w(7), numSamples: 1, baseVersion: 2 }) // v3 = 7
    // the straggler trained from v0 (0) to 1: its delta is +1 whatever happened since, weight 1/√4 = 0.5
    const out = server.submit({ holder: 'slow', weights: w(1), numSamples: 8, baseVersion: 0 })
    expect(out).toMatchObject({ accepted: true, staleness: 3, weight: 4, newVersion: 4 })
    expect(server.weights()[0]).toBeCloseTo(8) // buffer of one: the mean delta is the delta, +1
  })

  it('refuses updates staler than the limit or from unknown versions, and rejects malformed ones', () => {
    const server = createBufferedAggregator({ initial: w(0), bufferSize: 1, maxStaleness: 1 })
    server.submit({ holder: 'a', weights: w(1), numSamples: 1, baseVersion: 0 })
    server.submit({ holder: 'a', weights: w(2), numSamples: 1, baseVersion: 1 })
    expect(server.submit({ holder: 'old', weights: w(9), numSamples: 1, baseVersion: 0 })).toMatchObject({
      accepted: false,
      staleness: 2,
      reason: expect.stringMatching(/2 versions old \(at most 1\)/),
    })
    expect(server.submit({ holder: 'x', weights: w(9), numSamples: 1, baseVersion: 7 })).toMatchObject({
      accepted: false,
      reason: expect.stringMatching(/unknown version 7/),
    })
    expect(() =>
      server.submit({ holder: 'nan', weights: w(Number.NaN), numSamples: 1, baseVersion: 2 }),
    ).toThrow(/non-finite/)
    expect(() => server.submit({ holder: 'len', weights: w(1, 2), numSamples: 1, baseVersion: 2 })).toThrow(
      /2 weights; expected 1/,
    )
    expect(server.version).toBe(2) // nothing refused moved the model
    expect(() => createBufferedAggregator({ initial: w(0), bufferSize: 0 })).toThrow(/bufferSize/)
  })
})

describe('FedBuff on WDBC with a straggler ten times slower', () => {
  const ds = loadCsv(readFileSync(new URL('../../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8'), {
    target: 'diagnosis',
  })

  it('reaches the synchronous accuracy band in the same time, and gets there without waiting', async () => {
    for (const seed of [1, 4]) {
      const { train, test } = trainTestSplit(ds, { seed, testFraction: 0.25 })
      const parts = dirichletPartition(train, { holders: 4, alpha: 0.5, seed, minRows: 20 })
      const local = { epochs: 1, batchSize: 32, lr: 0.1 }
      const rounds = 30 // synchronous: every round waits for the straggler, 10 time units each
      const sync = await runFederated({
        holders: parts.map((data, i) => ({ id: `h${i}`, data })),
        model: { kind: 'logreg' },
        rounds,
        aggregator: { kind: 'fedavg' },
        local,
        seed,
        test,
      })
      const syncAccuracy = sync.history.at(-1)!.testAccuracy!
      sync.classifier.net.dispose()
      const fed = await runBufferedFederated({
        holders: parts.map((data, i) => ({ id: `h${i}`, data, duration: i === 0 ? 10 : 1 })),
        model: { kind: 'logreg' },
        local,
        seed,
        test,
        until: rounds * 10,
        buffer: { bufferSize: 3, maxStaleness: 20 },
      })
      fed.classifier.net.dispose()
      const asyncAccuracy = fed.versions.at(-1)!.testAccuracy!
      expect(syncAccuracy).toBeGreaterThan(0.93)
      expect(asyncAccuracy).toBeGreaterThanOrEqual(syncAccuracy - 0.02)
      // the straggler's work counts (stale, discounted), and the others never waited for it
      expect(fed.accepted.h0).toBe(rounds)
      expect(fed.refused.h0).toBe(0)
      expect(Math.max(...fed.versions.flatMap((v) => v.staleness))).toBeGreaterThan(5)
      expect(fed.accepted.h1).toBe(rounds * 10)
      // the synchronous run's final band is reached in a third of its time
      const inBand = fed.versions.find((v) => v.testAccuracy! >= syncAccuracy - 0.02)
      expect(inBand!.time).toBeLessThanOrEqual((rounds * 10) / 3)
    }
  })
})
