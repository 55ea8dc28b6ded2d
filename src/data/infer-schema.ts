import type { CsvTable } from './csv.js'
import { SchemaMismatchError } from './errors.js'
import { type DataSchema, type Feature, isMissingToken } from './schema.js'

/** Options for {@link inferSchema}. */
export interface InferSchemaOptions {
  /** The target column's name. */
  target: string
  /** Columns to treat as categorical even when their values are numbers, or `'all'`. */
  categorical?: string[] | 'all'
  /** Columns to leave out. */
  drop?: string[]
  /** Per-column extra 'missing' values, for example `{ glucose: ['0'] }`. */
  missing?: Record<string, string[]>
}

const byValue = (a: string, b: string): number => {
  const na = Number(a)
  const nb = Number(b)
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb
  return a < b ? -1 : a > b ? 1 : 0
}

/**
 * Infers a data schema from a table (the model owner does this on its own or public data): a column whose
 * non-missing values all parse as numbers is numeric unless listed in `categorical`; categories and classes
 * are sorted (numerically when they are numbers), so the encoding does not depend on row order.
 */
export function inferSchema(table: CsvTable, options: InferSchemaOptions): DataSchema {
  const targetIndex = table.header.indexOf(options.target)
  if (targetIndex < 0) {
    throw new SchemaMismatchError(`Target column '${options.target}' is not in the CSV header.`, {
      metaMessages: [`Columns: ${table.header.join(', ')}`],
    })
  }
  const drop = new Set(options.drop ?? [])
  const features: Feature[] = []
  table.header.forEach((col, j) => {
    if (j === targetIndex || drop.has(col)) return
    const extra = options.missing?.[col]
    const missing = (v: string) => isMissingToken(v) || (extra?.includes(v.trim()) ?? false)
    const values = table.rows.map((r) => r[j]).filter((v) => !missing(v))
    const forced = options.categorical === 'all' || (options.categorical?.includes(col) ?? false)
    const numeric = !forced && values.every((v) => Number.isFinite(Number(v)))
    const base = extra ? { missing: extra } : {}
    if (numeric) features.push({ name: col, kind: 'numeric', ...base })
    else {
      const categories = [...new Set(values.map((v) => v.trim()))].sort(byValue)
      if (categories.length === 0) throw new SchemaMismatchError(`Column '${col}' has only missing values.`)
      features.push({ name: col, kind: 'categorical', categories, ...base })
    }
  })
  const classes = [...new Set(table.rows.map((r) => r[targetIndex].trim()).filter((v) => !isMissingToken(v)))]
  classes.sort(byValue)
  if (classes.length < 2) {
    throw new SchemaMismatchError(
      `Target column '${options.target}' has ${classes.length} class(es); need 2+.`,
    )
  }
  return { features, target: { name: options.target, classes } }
}
