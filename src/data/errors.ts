import { MutiraoError } from '../errors.js'

/** A CSV file is larger than the configured limit. */
export class DataTooLargeError extends MutiraoError {
  override name = 'DataTooLargeError'
}

/** A CSV file is malformed (bad quoting, ragged rows, empty header). */
export class CsvParseError extends MutiraoError {
  override name = 'CsvParseError'
}

/** A data holder's file does not match the job's data schema; the message names the column. */
export class SchemaMismatchError extends MutiraoError {
  override name = 'SchemaMismatchError'
}
