import { readFileSync } from 'node:fs'
import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { loadCsv } from '../data/load.js'
import { trainTestSplit } from '../data/split.js'
import { evaluate, predictProba } from './classifier.js'
import { exportToOnnx } from './export-onnx.js'
import { trainClassifier } from './train-classifier.js'

const read = (f: string) => readFileSync(new URL(`../../data/${f}`, import.meta.url), 'utf8')

async function runOnnx(bytes: Uint8Array, x: Float32Array, n: number, d: number) {
  const session = await ort.InferenceSession.create(bytes)
  const out = await session.run({ features: new ort.Tensor('float32', x, [n, d]) })
  await session.release()
  return {
    proba: out.probabilities.data as Float32Array,
    label: out.label.data as BigInt64Array,
    dims: out.label.dims,
  }
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0)

describe('exportToOnnx', () => {
  it('WDBC MLP: ONNX probabilities equal tfjs within 1e-5 and accuracy > 0.9', async () => {
    const ds = loadCsv(read('wdbc-breast-cancer.csv'), { target: 'diagnosis' })
    const { train, test } = trainTestSplit(ds, { seed: 1 })
    const clf = await trainClassifier({
      data: train,
      model: { kind: 'mlp', hidden: [16] },
      epochs: 30,
      batchSize: 32,
      learningRate: 0.01,
      seed: 1,
    })
    const { accuracy } = evaluate(clf, test)
    expect(accuracy).toBeGreaterThan(0.9)
    const onnx = await runOnnx(exportToOnnx(clf.net, clf.preprocessing), test.x, test.n, test.d)
    const tfjs = predictProba(clf, test.x)
    expect(onnx.proba.length).toBe(test.n * 2)
    expect(maxAbsDiff(onnx.proba, tfjs)).toBeLessThanOrEqual(1e-5)
    expect(onnx.dims).toEqual([test.n])
    for (let r = 0; r < test.n; r++) expect(Number(onnx.label[r])).toBe(tfjs[2 * r + 1] > tfjs[2 * r] ? 1 : 0)
  })

  it('soybean logreg with categorical and missing (NaN) features matches tfjs', async () => {
    const ds = loadCsv(read('soybean-disease.csv'), { target: 'Class', categorical: 'all' })
    const { train, test } = trainTestSplit(ds, { seed: 2 })
    const clf = await trainClassifier({
      data: train,
      model: { kind: 'logreg' },
      epochs: 20,
      batchSize: 32,
      learningRate: 0.02,
      seed: 2,
    })
    expect(Array.from(test.x).some(Number.isNaN)).toBe(true)
    expect(evaluate(clf, test).accuracy).toBeGreaterThan(0.85)
    const onnx = await runOnnx(exportToOnnx(clf.net, clf.preprocessing), test.x, test.n, test.d)
    expect(maxAbsDiff(onnx.proba, predictProba(clf, test.x))).toBeLessThanOrEqual(1e-5)
  })
})
