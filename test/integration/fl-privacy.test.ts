import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { trainTestSplit } from '../../src/data/split.js'
import { verifyLineage } from '../../src/fl/lineage/verify.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

const ds = loadCsv(readFileSync(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8'), {
  target: 'diagnosis',
})
const { train, test } = trainTestSplit(ds, { seed: 1, testFraction: 0.25 })
const parts = dirichletPartition(train, { holders: 3, alpha: 0.5, seed: 1, minRows: 20 })

describe('fl-train with per-holder differential privacy', () => {
  it('reports each holder’s ε in the lineage, and a holder stops at its own budget while training goes on', async () => {
    const budgets = [8, 8, 3]
    const net = await startFlTestNetwork({
      spec: {
        id: 'dp',
        model: { kind: 'logreg' },
        schema: ds.schema,
        rounds: 10,
        minParticipants: 2,
        roundDeadlineMs: 10_000,
        local: { epochs: 1, batchSize: 32, lr: 0.1 },
        seed: 1,
        privacy: { clipNorm: 0.5, noiseMultiplier: 3 },
        secureAggregation: {},
      },
      holders: parts,
      coordinator: { test },
      holder: (i) => ({ privacyBudget: { epsilon: budgets[i], delta: 1e-5 } }),
    })
    const peers = net.holderHosts.map((h) => h.peerId.toString())
    try {
      const state = await net.coordinator.run()
      const rounds = state.lineage!.rounds
      expect(rounds).toHaveLength(10)
      for (const r of rounds) {
        for (const p of r.participants)
          expect(p.privacy!.epsilon).toBeLessThanOrEqual(budgets[peers.indexOf(p.peer)])
        expect(r.maxEpsilon).toBeLessThanOrEqual(8)
      }
      const limited = rounds.filter((r) => r.participants.some((p) => p.peer === peers[2])).length
      expect(limited).toBeGreaterThan(0)
      expect(limited).toBeLessThan(10) // declined once its ε = 3 budget would be exceeded
      const results = await Promise.all(net.holderRuns)
      expect(results[0].privacy!.epsilon).toBeCloseTo(rounds.at(-1)!.maxEpsilon!, 9)
      expect((await verifyLineage(state.lineage)).ok).toBe(true)
      console.info(
        `[fl-privacy] σ=3 C=0.5, 10 rounds: final ε ${results.map((r) => r.privacy?.epsilon.toFixed(2))} (δ 1e-5), ` +
          `holder 2 in ${limited} rounds, test accuracy ${rounds.at(-1)!.testAccuracy!.toFixed(4)}`,
      )
    } finally {
      await net.stop()
    }
  }, 60_000)
})
