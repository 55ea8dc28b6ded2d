import type { Dataset } from '../../data/schema.js'
import { initTraining } from '../../train/backend.js'
import { type Classifier, evaluate } from '../../train/classifier.js'
import type { ModelSpec } from '../../train/model-spec.js'
import { getFlatWeights, setFlatWeights } from '../../train/weights.js'
import { type LocalTrainOptions, localTrain } from '../local-train.js'
import { setupFlModel } from '../simulate.js'
import { type BufferedAggregatorOptions, createBufferedAggregator } from './buffered.js'

/** A simulated holder of an asynchronous job: its rows and how long one local training takes it. */
export interface AsyncSimHolder {
  id: string
  data: Dataset
  /** Virtual time units per local training (e.g. 1 for most, 10 for a straggler). */
  duration: number
}

/** Options of {@link runBufferedFederated}. */
export interface RunBufferedOptions {
  holders: AsyncSimHolder[]
  model: ModelSpec
  local: Omit<LocalTrainOptions, 'seed' | 'signal'>
  seed: number
  /** Stop at this virtual time. */
  until: number
  buffer: Omit<BufferedAggregatorOptions, 'initial'>
  /** Held-out rows evaluated after every new global version. */
  test?: Dataset
}

/** One new global version: when it appeared (virtual time) and how the model did. */
export interface VersionRecord {
  version: number
  time: number
  /** Staleness of each update folded into this version. */
  staleness: number[]
  testAccuracy?: number
}

/** The outcome of {@link runBufferedFederated}. */
export interface BufferedResult {
  classifier: Classifier
  weights: Float32Array
  versions: VersionRecord[]
  /** Updates each holder got accepted, and refused (too stale). */
  accepted: Record<string, number>
  refused: Record<string, number>
}

/**
 * Simulates buffered asynchronous FL (FedBuff) in virtual time, with the real local training and the real
 * {@link createBufferedAggregator}: every holder fetches the current global model, trains for its
 * `duration`, submits, and starts again at once; nobody waits for a straggler.
 */
export async function runBufferedFederated(options: RunBufferedOptions): Promise<BufferedResult> {
  await initTraining()
  const { holders, seed } = options
  const { net, model, classifier } = setupFlModel(holders, options.model, seed)
  const server = createBufferedAggregator({ ...options.buffer, initial: getFlatWeights(net) })
  const accepted: Record<string, number> = Object.fromEntries(holders.map((h) => [h.id, 0]))
  const refused: Record<string, number> = Object.fromEntries(holders.map((h) => [h.id, 0]))
  const versions: VersionRecord[] = []
  let staleness: number[] = []
  // each holder's running training: the version and weights it started from, and when it finishes
  const running = holders.map((h) => ({
    holder: h,
    base: 0,
    from: server.weights(),
    done: h.duration,
    runs: 0,
  }))
  for (;;) {
    const next = running.reduce((a, b) => (b.done < a.done ? b : a))
    if (next.done > options.until) break
    const h = next.holder
    const r = localTrain(model, next.from, h.data, {
      ...options.local,
      seed: seed * 7919 + next.runs * 131 + holders.indexOf(h),
    })
    const outcome = server.submit({
      holder: h.id,
      weights: r.weights,
      numSamples: r.numSamples,
      baseVersion: next.base,
    })
    if (outcome.accepted) {
      accepted[h.id]++
      staleness.push(outcome.staleness)
      if (outcome.newVersion !== null) {
        const record: VersionRecord = { version: outcome.newVersion, time: next.done, staleness }
        if (options.test) {
          setFlatWeights(net, server.weights())
          record.testAccuracy = evaluate(classifier, options.test).accuracy
        }
        versions.push(record)
        staleness = []
      }
    } else refused[h.id]++
    next.base = server.version
    next.from = server.weights()
    next.runs++
    next.done += h.duration
  }
  const weights = server.weights()
  setFlatWeights(net, weights)
  return { classifier, weights, versions, accepted, refused }
}
