import { AggregationError } from '../errors.js'
import type { Aggregator } from '../types.js'
import { bucketing } from './bucketing.js'
import { fedAvg } from './fedavg.js'
import { krum } from './krum.js'
import { coordinateMedian } from './median.js'
import { trimmedMean } from './trimmed-mean.js'

export { checkUpdates } from './check.js'
export { bucketing, coordinateMedian, fedAvg, krum, trimmedMean }

/** A serialisable choice of aggregation rule (for job specs). */
export type AggregatorSpec =
  | { kind: 'fedavg' }
  | { kind: 'median' }
  | { kind: 'trimmed-mean'; beta: number }
  | { kind: 'krum'; f: number; m?: number }
  | { kind: 'bucketing'; size: number; inner: AggregatorSpec; seed?: number }

/** The aggregator for a spec. */
export function aggregatorFor(spec: AggregatorSpec): Aggregator {
  switch (spec.kind) {
    case 'fedavg':
      return fedAvg
    case 'median':
      return coordinateMedian
    case 'trimmed-mean':
      return trimmedMean(spec.beta)
    case 'krum':
      return krum(spec.f, spec.m)
    case 'bucketing':
      return bucketing(spec.size, aggregatorFor(spec.inner), spec.seed)
    default:
      throw new AggregationError(`Unknown aggregator '${(spec as { kind: string }).kind}'.`)
  }
}
