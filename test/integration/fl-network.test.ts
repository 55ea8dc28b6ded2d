import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { type generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { trainTestSplit } from '../../src/data/split.js'
import { verifyLineage } from '../../src/fl/lineage/verify.js'
import type { FlJobSpecInput } from '../../src/fl/network/protocol.js'
import { evaluate } from '../../src/train/classifier.js'
import { trainClassifier } from '../../src/train/train-classifier.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

const ds = loadCsv(readFileSync(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8'), {
  target: 'diagnosis',
})
const split = (seed: number) => {
  const { train, test } = trainTestSplit(ds, { seed, testFraction: 0.25 })
  return { train, test, parts: dirichletPartition(train, { holders: 3, alpha: 0.5, seed, minRows: 20 }) }
}
const ROUNDS = 100

const spec = (id: string, seed: number, extra: Partial<FlJobSpecInput> = {}): FlJobSpecInput => ({
  id,
  model: { kind: 'logreg' },
  schema: ds.schema,
  rounds: ROUNDS,
  minParticipants: 3,
  roundDeadlineMs: 20_000,
  local: { epochs: 1, batchSize: 32, lr: 0.1 },
  seed,
  ...extra,
})

async function federated(
  s: FlJobSpecInput,
  data: ReturnType<typeof split>,
  keys: Awaited<ReturnType<typeof generateKeyPair>>[],
) {
  const net = await startFlTestNetwork({
    spec: s,
    holders: data.parts,
    holderKeys: keys,
    coordinator: { test: data.test },
  })
  try {
    const t0 = performance.now()
    const state = await net.coordinator.run()
    const ms = performance.now() - t0
    const results = await Promise.all(net.holderRuns)
    return { state, ms, results }
  } finally {
    await net.stop()
  }
}

describe('fl-train over libp2p: three hospitals, non-IID WDBC', () => {
  it.each([1, 4])(
    'seed %i: reaches central accuracy within 2 points; with SecAgg within 0.5 points of plain; lineage verifies',
    async (seed) => {
      const data = split(seed)
      const { train, test, parts } = data
      const central = await trainClassifier({
        data: train,
        model: { kind: 'logreg' },
        epochs: ROUNDS,
        seed,
        batchSize: 32,
        learningRate: 0.1,
        optimizer: 'sgd',
      })
      const centralAccuracy = evaluate(central, test).accuracy
      central.net.dispose()
      // Holders' local shuffles are seeded by their peer ids: fixed keys make the run reproducible.
      const keys = await Promise.all(
        parts.map((_, i) =>
          generateKeyPairFromSeed(
            'Ed25519',
            createHash('sha256').update(`fl-network holder ${seed} ${i}`).digest(),
          ),
        ),
      )

      const plain = await federated(spec('wdbc-plain', seed), data, keys)
      const plainAccuracy = plain.state.lineage!.rounds.at(-1)!.testAccuracy!
      const secure = await federated(spec('wdbc-secagg', seed, { secureAggregation: {} }), data, keys)
      const secureAccuracy = secure.state.lineage!.rounds.at(-1)!.testAccuracy!
      console.info(
        `[fl-network] seed ${seed}: central ${centralAccuracy.toFixed(4)} plain ${plainAccuracy.toFixed(4)} (${plain.ms.toFixed(0)} ms) ` +
          `secagg ${secureAccuracy.toFixed(4)} (${secure.ms.toFixed(0)} ms), holders ${parts.map((p) => p.n)}`,
      )
      expect(centralAccuracy).toBeGreaterThan(0.93)
      expect(Math.abs(plainAccuracy - centralAccuracy)).toBeLessThanOrEqual(0.02)
      expect(Math.abs(secureAccuracy - plainAccuracy)).toBeLessThanOrEqual(0.005)

      for (const run of [plain, secure]) {
        const lin = run.state.lineage!
        expect(run.state.status).toBe('done')
        expect(lin.rounds).toHaveLength(ROUNDS)
        expect(lin.rounds.every((r) => r.participants.length === 3)).toBe(true)
        for (const h of run.results) expect(h.modelHash).toBe(lin.modelHash)
        const report = await verifyLineage(lin)
        expect(report.problems).toEqual([])
        expect(report.ok).toBe(true)
      }
      expect(
        secure.state.lineage!.rounds.every((r) => r.secureAggregation && r.valuation === 'samples'),
      ).toBe(true)
    },
    120_000,
  )
})
