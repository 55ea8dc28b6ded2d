import { columnStats, mergeColumnStats } from '../data/column-stats.js'
import { applyPreprocessing, type Preprocessing, preprocessingFromStats } from '../data/preprocess.js'
import type { Dataset } from '../data/schema.js'
import { initTraining } from '../train/backend.js'
import { type Classifier, evaluate } from '../train/classifier.js'
import { createModel } from '../train/create-model.js'
import type { ModelSpec } from '../train/model-spec.js'
import { getFlatWeights, setFlatWeights } from '../train/weights.js'
import { type AggregatorSpec, aggregatorFor } from './aggregate/index.js'
import { attackUpdate, type UpdateAttack } from './attacks.js'
import { groupUpdates, randomGroups, splitGroupValues } from './contribution/groups.js'
import { roundUtility, type UtilityMetric } from './contribution/round-utility.js'
import { leaveOneOut, type ShapleyOptions, shapleyValues } from './contribution/shapley.js'
import { type FlModel, type LocalTrainOptions, localTrain } from './local-train.js'
import type { Aggregator, ClientUpdate } from './types.js'

/** A simulated data holder: its rows and, to test robustness, an optional attack on what it sends. */
export interface SimHolder {
  id: string
  data: Dataset
  attack?: UpdateAttack
}

/** Options for {@link runFederated}. */
export interface RunFederatedOptions {
  holders: SimHolder[]
  model: ModelSpec
  rounds: number
  aggregator: Aggregator | AggregatorSpec
  local: Omit<LocalTrainOptions, 'seed' | 'signal'>
  /** Seeds the initial weights and every holder's batch order. */
  seed: number
  /** Held-out rows evaluated after every round. */
  test?: Dataset
  /** Value each holder's contribution per round on the owner's validation rows. */
  valuation?: {
    validation: Dataset
    method: 'gtg-shapley' | 'loo'
    metric?: UtilityMetric
    shapley?: ShapleyOptions
    /**
     * Value random groups of at least this many holders (re-drawn every round) instead of single holders,
     * using only what secure aggregation per group reveals; a group's value is split by sample counts.
     */
    groupSize?: number
  }
  /** Default: fitted from the holders' merged column statistics (no rows leave a holder). */
  preprocessing?: Preprocessing
  onRound?: (record: RoundRecord) => void
  signal?: AbortSignal
}

/** What happened in one round. */
export interface RoundRecord {
  round: number
  participants: string[]
  meanLocalLoss: number
  testAccuracy?: number
  testLoss?: number
  /** This round's contribution value of each holder (same order as `holders`). */
  values?: number[]
}

/** The outcome of {@link runFederated}. */
export interface FederatedResult {
  classifier: Classifier
  weights: Float32Array
  history: RoundRecord[]
  /** Sum over rounds of each holder's contribution value (when valuation was requested). */
  contributions?: number[]
}

/**
 * The shared starting point of an in-process federated run: preprocessing from the holders' merged column
 * statistics (unless given), a fresh model of `spec` seeded by `seed`, and the classifier that evaluates it.
 */
export function setupFlModel(
  holders: readonly { data: Dataset }[],
  spec: ModelSpec,
  seed: number,
  given?: Preprocessing,
) {
  const schema = holders[0].data.schema
  const preprocessing =
    given ?? preprocessingFromStats(schema, mergeColumnStats(holders.map((h) => columnStats(h.data))))
  const net = createModel(spec, preprocessing.outputDim, schema.target.classes.length, seed)
  const model: FlModel = { net, preprocessing }
  const classifier: Classifier = { net, preprocessing, spec, classes: schema.target.classes }
  return { preprocessing, net, model, classifier }
}

/**
 * Simulates a federated training job in one process (no networking): every round each holder runs
 * {@link localTrain} from the global weights, attacks are applied to what malicious holders send, the
 * aggregator combines the updates, and optionally each holder's round contribution is valued
 * (GTG-Shapley or leave-one-out on the validation set). Used by tests, benches and the demo.
 */
export async function runFederated(options: RunFederatedOptions): Promise<FederatedResult> {
  await initTraining()
  const { holders, seed } = options
  const { preprocessing, net, model, classifier } = setupFlModel(
    holders,
    options.model,
    seed,
    options.preprocessing,
  )
  const aggregate =
    typeof options.aggregator === 'function' ? options.aggregator : aggregatorFor(options.aggregator)
  const v = options.valuation
  const validation = v && { x: applyPreprocessing(preprocessing, v.validation.x), y: v.validation.y }
  const contributions = v ? new Array<number>(holders.length).fill(0) : undefined
  let global = getFlatWeights(net)
  const history: RoundRecord[] = []
  for (let round = 1; round <= options.rounds; round++) {
    const updates: ClientUpdate[] = []
    let lossSum = 0
    holders.forEach((h, k) => {
      const r = localTrain(model, global, h.data, {
        ...options.local,
        seed: seed * 7919 + round * 131 + k,
        signal: options.signal,
      })
      lossSum += r.loss
      const honest: ClientUpdate = { holder: h.id, weights: r.weights, numSamples: r.numSamples }
      updates.push(h.attack ? attackUpdate(honest, global, h.attack) : honest)
    })
    const record: RoundRecord = {
      round,
      participants: holders.map((h) => h.id),
      meanLocalLoss: lossSum / holders.length,
    }
    if (v && validation && contributions) {
      const groups = v.groupSize ? randomGroups(updates.length, v.groupSize, seed * 31 + round) : undefined
      const valued = groups ? groupUpdates(updates, groups) : updates
      const u = roundUtility(model, global, valued, validation, v.metric)
      const raw =
        v.method === 'loo'
          ? leaveOneOut(valued.length, u)
          : shapleyValues(valued.length, u, { seed: seed + round, ...v.shapley })
      const values = groups
        ? splitGroupValues(
            groups,
            raw,
            updates.map((x) => x.numSamples),
          )
        : raw
      values.forEach((x, i) => {
        contributions[i] += x
      })
      record.values = values
    }
    global = aggregate(updates)
    setFlatWeights(net, global)
    if (options.test) {
      const s = evaluate(classifier, options.test)
      record.testAccuracy = s.accuracy
      record.testLoss = s.loss
    }
    history.push(record)
    options.onRound?.(record)
  }
  setFlatWeights(net, global)
  return { classifier, weights: global, history, contributions }
}
