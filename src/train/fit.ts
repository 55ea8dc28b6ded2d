import { createRng, shuffleInPlace } from '../data/rng.js'
import { AbortedError } from '../errors.js'
import { tf } from './backend.js'

/** Hyperparameters of a local training run. */
export interface FitOptions {
  epochs: number
  batchSize: number
  learningRate: number
  /** Seeds the mini-batch order. */
  seed: number
  /** Default `'adam'`. */
  optimizer?: 'adam' | 'sgd'
  /** FedProx proximal coefficient μ: adds `μ/2 · ‖w − anchor‖²` to the loss. Needs `anchor`. */
  fedProxMu?: number
  /** The weights the proximal term pulls towards (the round's global model), flat. */
  anchor?: Float32Array
  signal?: AbortSignal
}

/** What a training run did. */
export interface FitResult {
  /** Mean cross-entropy over the last epoch's batches (without the proximal term). */
  loss: number
  /** Optimizer steps taken. */
  steps: number
}

/**
 * Trains a logits network on preprocessed rows (`x` row-major `[n, m]`, `y` class indices) with softmax
 * cross-entropy, seeded mini-batches and, when `fedProxMu > 0`, the FedProx proximal term.
 */
export function fitArrays(
  model: tf.LayersModel,
  x: Float32Array,
  y: Int32Array,
  options: FitOptions,
): FitResult {
  const n = y.length
  const m = x.length / n
  const classes = model.outputs[0].shape[1] as number
  const mu = options.fedProxMu ?? 0
  if (mu > 0 && !options.anchor) throw new RangeError('fedProxMu > 0 needs the anchor (global) weights')
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable)
  const optimizer =
    (options.optimizer ?? 'adam') === 'adam'
      ? tf.train.adam(options.learningRate)
      : tf.train.sgd(options.learningRate)
  const xAll = tf.tensor2d(x, [n, m])
  const yAll = tf.oneHot(tf.tensor1d(y, 'int32'), classes).toFloat()
  const anchors: tf.Tensor[] = []
  if (mu > 0 && options.anchor) {
    let o = 0
    for (const v of vars) {
      anchors.push(tf.tensor(options.anchor.subarray(o, o + v.size), v.shape))
      o += v.size
    }
    if (o !== options.anchor.length)
      throw new RangeError(`anchor has ${options.anchor.length} weights, model ${o}`)
  }
  const rng = createRng(options.seed)
  const order = Array.from({ length: n }, (_, i) => i)
  let steps = 0
  let loss = 0
  try {
    for (let e = 0; e < options.epochs; e++) {
      if (options.signal?.aborted)
        throw new AbortedError('Training was aborted.', { cause: options.signal.reason })
      shuffleInPlace(order, rng)
      const losses: tf.Scalar[] = []
      for (let b = 0; b < n; b += options.batchSize) {
        const idx = tf.tensor1d(order.slice(b, b + options.batchSize), 'int32')
        const xb = tf.gather(xAll, idx)
        const yb = tf.gather(yAll, idx)
        const ce = tf.tidy(() => {
          let ceValue: tf.Scalar | undefined
          optimizer.minimize(
            () => {
              const logits = model.apply(xb, { training: true }) as tf.Tensor
              const ce = tf.losses.softmaxCrossEntropy(yb, logits) as tf.Scalar
              ceValue = tf.keep(ce.clone())
              if (mu === 0) return ce
              const prox = vars.map((v, i) => tf.sum(tf.square(tf.sub(v, anchors[i]))))
              return tf.add(ce, tf.mul(mu / 2, tf.addN(prox))) as tf.Scalar
            },
            false,
            vars,
          )
          return ceValue as tf.Scalar
        })
        losses.push(ce)
        tf.dispose([idx, xb, yb])
        steps++
      }
      loss = tf.tidy(() => tf.mean(tf.stack(losses)).dataSync()[0])
      tf.dispose(losses)
    }
  } finally {
    tf.dispose([xAll, yAll, ...anchors])
    optimizer.dispose()
  }
  return { loss, steps }
}
