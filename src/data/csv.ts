import { CsvParseError, DataTooLargeError } from './errors.js'

/** A parsed CSV: the header row and the data rows as strings, each row as long as the header. */
export interface CsvTable {
  header: string[]
  rows: string[][]
}

/** Limits applied before and while parsing untrusted CSV text. */
export interface CsvLimits {
  /** Maximum size of the text in bytes (UTF-8). Default 64 MiB. */
  maxBytes?: number
  /** Maximum number of data rows. Default 5,000,000. */
  maxRows?: number
  /** Maximum number of columns. Default 10,000. */
  maxColumns?: number
}

/** Default CSV size limit: 64 MiB. */
export const DEFAULT_MAX_CSV_BYTES = 64 * 1024 * 1024

/**
 * Parses RFC 4180 CSV (comma separator, `"` quoting with `""` escapes, LF or CRLF line ends).
 * Checks the size before parsing and that every row has as many fields as the header.
 * Blank lines are skipped.
 *
 * @example
 * const { header, rows } = parseCsv('a,b\n1,"x,y"\n') // header ['a','b'], rows [['1','x,y']]
 */
export function parseCsv(text: string, limits: CsvLimits = {}): CsvTable {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_CSV_BYTES
  const maxRows = limits.maxRows ?? 5_000_000
  const maxColumns = limits.maxColumns ?? 10_000
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > maxBytes) {
    throw new DataTooLargeError(`CSV is ${bytes} bytes, over the limit of ${maxBytes} bytes.`, {
      metaMessages: ['Use a smaller file or raise the maxBytes limit.'],
    })
  }
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let inQuotes = false
  let line = 1
  let i = 0
  const endRecord = () => {
    record.push(field)
    field = ''
    if (!(record.length === 1 && record[0] === '')) {
      if (record.length > maxColumns)
        throw new CsvParseError(`CSV line ${line} has over ${maxColumns} columns.`)
      records.push(record)
      if (records.length > maxRows + 1) throw new DataTooLargeError(`CSV has over ${maxRows} rows.`)
    }
    record = []
  }
  if (text.charCodeAt(0) === 0xfeff) i = 1 // byte-order mark
  for (; i < text.length; i++) {
    const c = text[i]
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else inQuotes = false
      } else {
        if (c === '\n') line++
        field += c
      }
    } else if (c === '"') {
      if (field !== '') throw new CsvParseError(`CSV line ${line}: a quote inside an unquoted field.`)
      inQuotes = true
    } else if (c === ',') {
      record.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      endRecord()
      line++
    } else field += c
  }
  if (inQuotes) throw new CsvParseError(`CSV ends inside a quoted field (opened by line ${line}).`)
  if (field !== '' || record.length > 0) endRecord()
  if (records.length === 0) throw new CsvParseError('CSV is empty: no header row.')
  const header = records[0].map((h) => h.trim())
  if (header.some((h) => h === '')) throw new CsvParseError('CSV header has an empty column name.')
  const seen = new Set<string>()
  for (const h of header) {
    if (seen.has(h)) throw new CsvParseError(`CSV header repeats the column '${h}'.`)
    seen.add(h)
  }
  const rows = records.slice(1)
  rows.forEach((r, k) => {
    if (r.length !== header.length) {
      throw new CsvParseError(
        `CSV data row ${k + 1} has ${r.length} fields; the header has ${header.length}.`,
        {
          metaMessages: ['Every row must have one field per header column.'],
        },
      )
    }
  })
  return { header, rows }
}
