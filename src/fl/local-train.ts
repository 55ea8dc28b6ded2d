import { applyPreprocessing, type Preprocessing } from '../data/preprocess.js'
import type { Dataset } from '../data/schema.js'
import type { tf } from '../train/backend.js'
import { fitArrays } from '../train/fit.js'
import { getFlatWeights, setFlatWeights } from '../train/weights.js'

/** The model a federated job trains: its network (reused across rounds) and the agreed preprocessing. */
export interface FlModel {
  net: tf.LayersModel
  preprocessing: Preprocessing
}

/** A holder's local-training hyperparameters (set by the job). */
export interface LocalTrainOptions {
  epochs: number
  batchSize: number
  lr: number
  /** FedProx μ (Li et al. 2020); 0 or absent is plain FedAvg local training. */
  fedProxMu?: number
  /** Default `'sgd'` (textbook FedAvg; Adam restarted every round drifts on non-IID data). */
  optimizer?: 'adam' | 'sgd'
  /** Seeds the mini-batch order (vary it per round and holder). */
  seed: number
  signal?: AbortSignal
}

/** What a holder sends back after local training (plus its final local loss, for logs). */
export interface LocalResult {
  weights: Float32Array
  numSamples: number
  loss: number
}

const cache = new WeakMap<Dataset, { pre: Preprocessing; x: Float32Array }>()

function preprocessed(data: Dataset, pre: Preprocessing): Float32Array {
  const hit = cache.get(data)
  if (hit && hit.pre === pre) return hit.x
  const x = applyPreprocessing(pre, data.x)
  cache.set(data, { pre, x })
  return x
}

/**
 * A holder's client update: starts from the round's global weights, trains on its own rows (preprocessed
 * with the job's preprocessing) and returns the new weights with its sample count. Raw rows never leave.
 */
export function localTrain(
  model: FlModel,
  globalWeights: Float32Array,
  data: Dataset,
  options: LocalTrainOptions,
): LocalResult {
  setFlatWeights(model.net, globalWeights)
  const mu = options.fedProxMu ?? 0
  const { loss } = fitArrays(model.net, preprocessed(data, model.preprocessing), data.y, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.lr,
    optimizer: options.optimizer ?? 'sgd',
    seed: options.seed,
    fedProxMu: mu,
    anchor: mu > 0 ? globalWeights : undefined,
    signal: options.signal,
  })
  return { weights: getFlatWeights(model.net), numSamples: data.n, loss }
}
