import { readFile, stat } from 'node:fs/promises'
import { type CsvLimits, DEFAULT_MAX_CSV_BYTES, parseCsv } from './csv.js'
import { encodeTable } from './encode.js'
import { DataTooLargeError } from './errors.js'
import { type InferSchemaOptions, inferSchema } from './infer-schema.js'
import { DataSchema, type Dataset } from './schema.js'

/** Load with a job's schema (a data holder) or infer one (the model owner). */
export type LoadOptions = CsvLimits & ({ schema: DataSchema } | InferSchemaOptions)

/**
 * Parses CSV text and encodes it: with `schema`, checks that the file matches it (a holder joining a job);
 * otherwise infers the schema from the file (see {@link inferSchema}).
 *
 * @example
 * const ds = loadCsv(text, { target: 'diagnosis' })
 */
export function loadCsv(text: string, options: LoadOptions): Dataset {
  const table = parseCsv(text, options)
  const schema = 'schema' in options ? DataSchema.parse(options.schema) : inferSchema(table, options)
  return encodeTable(table, schema)
}

/** Like {@link loadCsv} for a file; checks the file's size before reading it. */
export async function loadCsvFile(path: string, options: LoadOptions): Promise<Dataset> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_CSV_BYTES
  const { size } = await stat(path)
  if (size > maxBytes) {
    throw new DataTooLargeError(`File '${path}' is ${size} bytes, over the limit of ${maxBytes} bytes.`)
  }
  return loadCsv(await readFile(path, 'utf8'), options)
}
