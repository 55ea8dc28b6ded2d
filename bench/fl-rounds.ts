/**
 * Rounds a federated job needs to reach the centralized model's accuracy minus 2 points, for WDBC (3
 * non-IID hospitals) and soybean (4 non-IID farms), plain FedAvg and under SecAgg, over real libp2p hosts
 * in this process. Run: `npm run bench:fl:rounds` (writes a Markdown table to stdout).
 */
import '../src/polyfill.js'
import { readFileSync } from 'node:fs'
import { type LoadOptions, loadCsv } from '../src/data/load.js'
import { dirichletPartition } from '../src/data/partition.js'
import { trainTestSplit } from '../src/data/split.js'
import { evaluate } from '../src/train/classifier.js'
import { trainClassifier } from '../src/train/train-classifier.js'
import { startFlTestNetwork } from '../test/helpers/fl-network.js'

const ROUNDS = 60
const cases: { name: string; file: string; load: LoadOptions; holders: number; seed: number }[] = [
  {
    name: 'WDBC, 3 hospitals',
    file: 'wdbc-breast-cancer.csv',
    load: { target: 'diagnosis' },
    holders: 3,
    seed: 1,
  },
  {
    name: 'soybean, 4 farms',
    file: 'soybean-disease.csv',
    load: { target: 'Class', categorical: 'all' },
    holders: 4,
    seed: 2,
  },
]

console.log(
  `| data set | central acc. | mode | rounds to central − 2 pts | final acc. (${ROUNDS} rounds) | wall |`,
)
console.log('|---|---|---|---|---|---|')
for (const c of cases) {
  const ds = loadCsv(readFileSync(new URL(`../data/${c.file}`, import.meta.url), 'utf8'), c.load)
  const { train, test } = trainTestSplit(ds, { seed: c.seed, testFraction: 0.25 })
  const parts = dirichletPartition(train, { holders: c.holders, alpha: 0.5, seed: c.seed, minRows: 20 })
  const central = await trainClassifier({
    data: train,
    model: { kind: 'logreg' },
    epochs: ROUNDS,
    seed: c.seed,
    batchSize: 32,
    learningRate: 0.1,
    optimizer: 'sgd',
  })
  const centralAcc = evaluate(central, test).accuracy
  central.net.dispose()
  for (const secure of [false, true]) {
    const net = await startFlTestNetwork({
      spec: {
        id: `bench-${c.seed}-${secure}`,
        model: { kind: 'logreg' },
        schema: ds.schema,
        rounds: ROUNDS,
        minParticipants: c.holders,
        roundDeadlineMs: 30_000,
        local: { epochs: 1, batchSize: 32, lr: 0.1 },
        seed: c.seed,
        ...(secure ? { secureAggregation: {} } : {}),
      },
      holders: parts,
      coordinator: { test },
    })
    const t0 = performance.now()
    try {
      const state = await net.coordinator.run()
      const ms = performance.now() - t0
      await Promise.all(net.holderRuns)
      const accs = state.lineage!.rounds.map((r) => r.testAccuracy!)
      const hit = accs.findIndex((a) => a >= centralAcc - 0.02)
      console.log(
        `| ${c.name} | ${(100 * centralAcc).toFixed(2)} % | ${secure ? 'SecAgg' : 'plain'} | ${hit < 0 ? `not within ${ROUNDS}` : hit + 1} | ${(100 * accs.at(-1)!).toFixed(2)} % | ${(ms / 1000).toFixed(1)} s |`,
      )
    } finally {
      await net.stop()
    }
  }
}
process.exit(0)
