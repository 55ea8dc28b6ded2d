import { MutiraoError } from '../../errors.js'

/** A model lineage does not verify: a record was changed, removed, reordered or forged. */
export class LineageVerificationError extends MutiraoError {
  override name = 'LineageVerificationError'
}
