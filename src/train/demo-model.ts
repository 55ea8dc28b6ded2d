import { loadCsvFile } from '../data/load.js'
import { trainTestSplit } from '../data/split.js'
import { evaluate } from './classifier.js'
import { exportToOnnx } from './export-onnx.js'
import { trainClassifier } from './train-classifier.js'

/** What {@link trainDemoModel} returns. */
export interface DemoModel {
  /** The ONNX model: input `features` [N, d] float32 raw features; outputs `probabilities`, `label`. */
  onnx: Uint8Array
  /** Raw test-split features, row-major `[testCount, inputDim]` (what the `features` input takes). */
  testInputs: Float32Array
  /** Class indices of the test rows. */
  testLabels: Int32Array
  testCount: number
  inputDim: number
  classes: string[]
  /** Test-split accuracy of the trained model. */
  accuracy: number
}

/**
 * Trains the demo classifier (a small MLP) on a vendored CSV whose last column is the target (default
 * WDBC's `diagnosis`), with a seeded 80/20 split, and exports it to ONNX. About a second on 2 cores.
 *
 * @example
 * const demo = await trainDemoModel('data/wdbc-breast-cancer.csv')
 */
export async function trainDemoModel(
  csvPath: string,
  options: { target?: string; seed?: number } = {},
): Promise<DemoModel> {
  const seed = options.seed ?? 42
  const ds = await loadCsvFile(csvPath, { target: options.target ?? 'diagnosis' })
  const { train, test } = trainTestSplit(ds, { seed, testFraction: 0.2 })
  const clf = await trainClassifier({
    data: train,
    model: { kind: 'mlp', hidden: [16] },
    epochs: 30,
    batchSize: 32,
    learningRate: 0.01,
    seed,
  })
  const { accuracy } = evaluate(clf, test)
  const onnx = exportToOnnx(clf.net, clf.preprocessing, { classes: clf.classes })
  clf.net.dispose()
  return {
    onnx,
    testInputs: test.x,
    testLabels: test.y,
    testCount: test.n,
    inputDim: test.d,
    classes: clf.classes,
    accuracy,
  }
}
