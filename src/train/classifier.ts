import { applyPreprocessing, type Preprocessing } from '../data/preprocess.js'
import type { Dataset } from '../data/schema.js'
import { tf } from './backend.js'
import type { ModelSpec } from './model-spec.js'

/** A trained network with the preprocessing its inputs need: what `exportToOnnx` turns into a model. */
export interface Classifier {
  net: tf.LayersModel
  preprocessing: Preprocessing
  spec: ModelSpec
  /** Class names; class index i is `classes[i]`. */
  classes: string[]
}

/** Class probabilities `[n, classes]` row-major for raw encoded rows (`[n, d]`, NaN = missing). */
export function predictProba(c: Classifier, raw: Float32Array): Float32Array {
  return probaOfPreprocessed(c.net, applyPreprocessing(c.preprocessing, raw), c.preprocessing.outputDim)
}

/** Softmax of the network's logits for preprocessed rows (`[n, m]`). */
export function probaOfPreprocessed(net: tf.LayersModel, x: Float32Array, m: number): Float32Array {
  return tf.tidy(() => {
    const logits = net.predict(tf.tensor2d(x, [x.length / m, m])) as tf.Tensor
    return tf.softmax(logits).dataSync() as Float32Array
  })
}

/** Accuracy and mean cross-entropy of class probabilities against labels. */
export function scoreProba(proba: Float32Array, y: Int32Array): { accuracy: number; loss: number } {
  const k = proba.length / y.length
  let correct = 0
  let loss = 0
  for (let r = 0; r < y.length; r++) {
    let best = 0
    for (let c = 1; c < k; c++) if (proba[r * k + c] > proba[r * k + best]) best = c
    if (best === y[r]) correct++
    loss -= Math.log(Math.max(proba[r * k + y[r]], 1e-12))
  }
  return { accuracy: correct / y.length, loss: loss / y.length }
}

/** Accuracy (fraction of rows whose most probable class is the label) and cross-entropy on a data set. */
export function evaluate(c: Classifier, ds: Dataset): { accuracy: number; loss: number } {
  return scoreProba(predictProba(c, ds.x), ds.y)
}
