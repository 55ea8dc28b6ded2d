import { checkUpdates } from '../aggregate/check.js'
import { AggregationError } from '../errors.js'
import type { ClientUpdate } from '../types.js'

/** An update trained from the global model of version `baseVersion`. */
export interface AsyncUpdate extends ClientUpdate {
  baseVersion: number
}

/** Options of {@link createBufferedAggregator}. */
export interface BufferedAggregatorOptions {
  /** The global weights of version 0. */
  initial: Float32Array
  /** Updates folded into each new version (FedBuff's K). */
  bufferSize: number
  /** Server learning rate η applied to the buffer's mean delta (default 1: FedAvg over the buffer). */
  serverLr?: number
  /** Updates staler than this many versions are refused (default 10). */
  maxStaleness?: number
  /** Weight of an update τ versions stale (default 1/√(1 + τ), as in FedBuff). */
  stalenessWeight?: (staleness: number) => number
}

/** What became of one submitted update. */
export type SubmitOutcome =
  | { accepted: true; staleness: number; weight: number; newVersion: number | null }
  | { accepted: false; staleness: number; reason: string }

/** The coordinator's side of buffered asynchronous aggregation; pure, no clock, no network. */
export interface BufferedAggregator {
  /** Version of the current global weights (increments once per folded buffer). */
  readonly version: number
  /** The current global weights (a copy). */
  weights(): Float32Array
  /** Updates waiting in the buffer. */
  readonly pending: number
  /** Folds in one update; when the buffer is full, a new global version results (`newVersion`). */
  submit(update: AsyncUpdate): SubmitOutcome
}

/**
 * Buffered asynchronous aggregation (FedBuff, Nguyen et al. 2022): holders train from whatever global
 * version they last fetched and submit when done; each update's delta against its base version is weighted
 * by its sample count and its staleness, and every `bufferSize` updates the global model moves by η times
 * the buffer's weighted mean delta. A slow holder therefore never stalls the others: its late update counts,
 * discounted, in whichever version it reaches.
 */
export function createBufferedAggregator(options: BufferedAggregatorOptions): BufferedAggregator {
  const { bufferSize } = options
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new AggregationError(`bufferSize must be a positive integer, got ${bufferSize}`)
  }
  const serverLr = options.serverLr ?? 1
  const maxStaleness = options.maxStaleness ?? 10
  const weigh = options.stalenessWeight ?? ((tau: number) => 1 / Math.sqrt(1 + tau))
  const d = options.initial.length
  let global = Float32Array.from(options.initial)
  let version = 0
  const history = new Map<number, Float32Array>([[0, global]]) // the versions an update may still start from
  const sum = new Float64Array(d) // Σ weight · delta over the buffer
  let weightSum = 0
  let pending = 0

  const fold = () => {
    const next = new Float32Array(d)
    for (let i = 0; i < d; i++) next[i] = global[i] + (serverLr * sum[i]) / weightSum
    global = next
    version++
    history.set(version, global)
    history.delete(version - maxStaleness - 1)
    sum.fill(0)
    weightSum = 0
    pending = 0
  }

  return {
    get version() {
      return version
    },
    get pending() {
      return pending
    },
    weights: () => Float32Array.from(global),
    submit(update) {
      const staleness = version - update.baseVersion
      const base = Number.isInteger(update.baseVersion) ? history.get(update.baseVersion) : undefined
      if (!base) {
        const reason =
          staleness > maxStaleness
            ? `trained from version ${update.baseVersion}, ${staleness} versions old (at most ${maxStaleness})`
            : `trained from unknown version ${update.baseVersion} (current is ${version})`
        return { accepted: false, staleness, reason }
      }
      checkUpdates([update]) // finite weights, a valid sample count
      if (update.weights.length !== d) {
        throw new AggregationError(
          `Update from '${update.holder}' has ${update.weights.length} weights; expected ${d}.`,
        )
      }
      const weight = update.numSamples * weigh(staleness)
      if (!(weight > 0)) return { accepted: false, staleness, reason: 'carries no samples' }
      for (let i = 0; i < d; i++) sum[i] += weight * (update.weights[i] - base[i])
      weightSum += weight
      pending++
      if (pending < bufferSize) return { accepted: true, staleness, weight, newVersion: null }
      fold()
      return { accepted: true, staleness, weight, newVersion: version }
    },
  }
}
