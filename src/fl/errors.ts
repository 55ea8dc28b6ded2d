import { MutiraoError } from '../errors.js'

/** A round's updates cannot be aggregated (none, mismatched lengths, too few for the robust rule). */
export class AggregationError extends MutiraoError {
  override name = 'AggregationError'
}
