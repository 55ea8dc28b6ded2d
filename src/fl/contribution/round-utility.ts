import { probaOfPreprocessed, scoreProba } from '../../train/classifier.js'
import { setFlatWeights } from '../../train/weights.js'
import { fedAvg } from '../aggregate/fedavg.js'
import type { FlModel } from '../local-train.js'
import type { ClientUpdate } from '../types.js'
import type { CoalitionUtility } from './shapley.js'

/** The model owner's validation rows, already preprocessed (`x` `[n, m]`), used to value coalitions. */
export interface ValidationSet {
  x: Float32Array
  y: Int32Array
}

/** Which validation score a coalition's model is worth. */
export type UtilityMetric = 'neg-loss' | 'accuracy'

/**
 * The round-level coalition utility used by GTG-Shapley and leave-one-out: the FedAvg of the coalition's
 * updates (the round's previous global weights for the empty coalition) scored on the owner's validation
 * set, as negative cross-entropy (default, smooth) or accuracy.
 */
export function roundUtility(
  model: FlModel,
  global: Float32Array,
  updates: readonly ClientUpdate[],
  validation: ValidationSet,
  metric: UtilityMetric = 'neg-loss',
): CoalitionUtility {
  const m = model.preprocessing.outputDim
  return (members) => {
    const w = members.length === 0 ? global : fedAvg(members.map((i) => updates[i]))
    setFlatWeights(model.net, w)
    const s = scoreProba(probaOfPreprocessed(model.net, validation.x, m), validation.y)
    return metric === 'accuracy' ? s.accuracy : -s.loss
  }
}
