import type { CsvTable } from './csv.js'
import { SchemaMismatchError } from './errors.js'
import { type DataSchema, type Dataset, isMissingToken } from './schema.js'

/**
 * Encodes a holder's table with a job's data schema, checking that it matches: every schema column is in
 * the header, numeric columns hold numbers, categorical values and target classes are known. Columns not
 * in the schema are ignored. Missing values become `NaN` (imputed later by the preprocessing).
 * Throws {@link SchemaMismatchError} naming the column (and row) that does not match.
 */
export function encodeTable(table: CsvTable, schema: DataSchema): Dataset {
  const colIndex = (name: string): number => {
    const j = table.header.indexOf(name)
    if (j < 0) {
      throw new SchemaMismatchError(
        `Column '${name}' required by the data schema is missing from the file.`,
        {
          metaMessages: [`The file's columns: ${table.header.join(', ')}`],
        },
      )
    }
    return j
  }
  const n = table.rows.length
  const d = schema.features.length
  const x = new Float32Array(n * d)
  const y = new Int32Array(n)
  schema.features.forEach((f, k) => {
    const j = colIndex(f.name)
    const extra = new Set(f.missing ?? [])
    const lookup = f.kind === 'categorical' ? new Map(f.categories.map((c, i) => [c, i])) : undefined
    for (let r = 0; r < n; r++) {
      const raw = table.rows[r][j].trim()
      let v: number
      if (isMissingToken(raw) || extra.has(raw)) v = Number.NaN
      else if (lookup) {
        const idx = lookup.get(raw)
        if (idx === undefined) {
          throw new SchemaMismatchError(
            `Column '${f.name}' row ${r + 1}: unknown category '${raw.slice(0, 40)}'.`,
            {
              metaMessages: [`Known categories: ${[...lookup.keys()].slice(0, 20).join(', ')}`],
            },
          )
        }
        v = idx
      } else {
        v = Number(raw)
        if (!Number.isFinite(v)) {
          throw new SchemaMismatchError(
            `Column '${f.name}' row ${r + 1}: '${raw.slice(0, 40)}' is not a number.`,
          )
        }
      }
      x[r * d + k] = v
    }
  })
  const t = colIndex(schema.target.name)
  const classes = new Map(schema.target.classes.map((c, i) => [c, i]))
  for (let r = 0; r < n; r++) {
    const raw = table.rows[r][t].trim()
    const c = classes.get(raw)
    if (c === undefined) {
      throw new SchemaMismatchError(
        `Target column '${schema.target.name}' row ${r + 1}: '${raw.slice(0, 40)}' is not a known class.`,
        { metaMessages: [`Classes: ${schema.target.classes.join(', ')}`] },
      )
    }
    y[r] = c
  }
  return { schema, n, d, x, y }
}
