import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type LoadOptions, loadCsv } from '../data/load.js'
import { dirichletPartition } from '../data/partition.js'
import { trainTestSplit } from '../data/split.js'
import { evaluate } from '../train/classifier.js'
import { trainClassifier } from '../train/train-classifier.js'
import { runFederated } from './simulate.js'

const load = (file: string, options: LoadOptions) =>
  loadCsv(readFileSync(new URL(`../../data/${file}`, import.meta.url), 'utf8'), options)

/** Central vs federated (non-IID Dirichlet(0.5) label skew) on the same held-out split, same model. */
async function centralVsFederated(file: string, options: LoadOptions, holders: number, seed: number) {
  const ds = load(file, options)
  const { train, test } = trainTestSplit(ds, { seed, testFraction: 0.25 })
  const hyper = { batchSize: 32, learningRate: 0.1, optimizer: 'sgd' as const }
  const central = await trainClassifier({
    data: train,
    model: { kind: 'logreg' },
    epochs: 60,
    seed,
    ...hyper,
  })
  const centralAccuracy = evaluate(central, test).accuracy
  central.net.dispose()
  const parts = dirichletPartition(train, { holders, alpha: 0.5, seed, minRows: 20 })
  const fed = await runFederated({
    holders: parts.map((data, i) => ({ id: `holder-${i}`, data })),
    model: { kind: 'logreg' },
    rounds: 60,
    aggregator: { kind: 'fedavg' },
    local: { epochs: 1, batchSize: 32, lr: 0.1 },
    seed,
    test,
  })
  fed.classifier.net.dispose()
  return {
    centralAccuracy,
    federatedAccuracy: fed.history.at(-1)!.testAccuracy!,
    sizes: parts.map((p) => p.n),
  }
}

describe('federated vs central (non-IID, held-out split)', () => {
  it('WDBC, 3 hospitals: within 2 accuracy points of central training', async () => {
    for (const seed of [1, 4]) {
      const r = await centralVsFederated('wdbc-breast-cancer.csv', { target: 'diagnosis' }, 3, seed)
      expect(r.centralAccuracy).toBeGreaterThan(0.93)
      expect(Math.abs(r.centralAccuracy - r.federatedAccuracy)).toBeLessThanOrEqual(0.02)
    }
  })
  it('soybean, 4 farms: within 2 accuracy points of central training', async () => {
    for (const seed of [1, 2]) {
      const r = await centralVsFederated(
        'soybean-disease.csv',
        { target: 'Class', categorical: 'all' },
        4,
        seed,
      )
      expect(r.centralAccuracy).toBeGreaterThan(0.88)
      expect(Math.abs(r.centralAccuracy - r.federatedAccuracy)).toBeLessThanOrEqual(0.02)
    }
  })
})
