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
const { train, test } = trainTestSplit(ds, { seed: 5, testFraction: 0.25 })
const parts = dirichletPartition(train, { holders: 3, alpha: 0.5, seed: 5, minRows: 20 })

describe('coordinator restart', () => {
  it('resumes from the persisted round after a restart; holders reconnect; the lineage is continuous', async () => {
    const stopAfter = new AbortController()
    const net = await startFlTestNetwork({
      spec: {
        id: 'restart',
        model: { kind: 'logreg' },
        schema: ds.schema,
        rounds: 10,
        minParticipants: 3,
        roundDeadlineMs: 10_000,
        local: { epochs: 1, batchSize: 32, lr: 0.1 },
        seed: 5,
      },
      holders: parts,
      coordinator: {
        test,
        onEvent: (e) => e.type === 'round' && e.round === 4 && stopAfter.abort(new Error('simulated crash')),
      },
    })
    try {
      await expect(net.coordinator.run(stopAfter.signal)).rejects.toThrow(/crash/)
      const saved = net.store.load('restart')!
      expect(saved.round).toBe(4)
      expect(saved.status).toBe('running')
      const coordinator = await net.restartCoordinator()
      expect(coordinator.state().round).toBe(4)
      const state = await coordinator.run()
      const rounds = state.lineage!.rounds.map((r) => r.round)
      expect(state.status).toBe('done')
      expect(rounds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      expect(state.lineage!.rounds[4].prevHash).toBe(saved.lineage!.root)
      expect((await verifyLineage(state.lineage)).ok).toBe(true)
      for (const run of net.holderRuns) expect((await run).modelHash).toBe(state.lineage!.modelHash)
      expect(state.lineage!.rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
    } finally {
      await net.stop()
    }
  }, 60_000)
})
