import { applyPreprocessing, fitPreprocessing, type Preprocessing } from '../data/preprocess.js'
import type { Dataset } from '../data/schema.js'
import { initTraining } from './backend.js'
import type { Classifier } from './classifier.js'
import { createModel } from './create-model.js'
import { type FitOptions, fitArrays } from './fit.js'
import type { ModelSpec } from './model-spec.js'

/** Options for {@link trainClassifier}. */
export interface TrainClassifierOptions extends Pick<FitOptions, 'optimizer' | 'signal'> {
  /** Training rows (raw encoded); the preprocessing is fitted on them unless given. */
  data: Dataset
  model: ModelSpec
  epochs: number
  batchSize: number
  learningRate: number
  seed: number
  preprocessing?: Preprocessing
}

/**
 * Trains a classifier centrally: fits the preprocessing on the training data, builds the network with
 * seeded weights and runs mini-batch training.
 *
 * @example
 * const clf = await trainClassifier({ data: train, model: { kind: 'logreg' }, epochs: 30, batchSize: 32,
 *   learningRate: 0.05, seed: 1 })
 * evaluate(clf, test).accuracy
 */
export async function trainClassifier(
  options: TrainClassifierOptions,
): Promise<Classifier & { loss: number }> {
  await initTraining()
  const preprocessing = options.preprocessing ?? fitPreprocessing(options.data)
  const classes = options.data.schema.target.classes
  const net = createModel(options.model, preprocessing.outputDim, classes.length, options.seed)
  const x = applyPreprocessing(preprocessing, options.data.x)
  const { loss } = fitArrays(net, x, options.data.y, { ...options, seed: options.seed })
  return { net, preprocessing, spec: options.model, classes, loss }
}
