import { describe, expect, it } from 'vitest'
import { parseCsv } from './csv.js'

describe('parseCsv', () => {
  it('parses quotes, escaped quotes, CRLF and skips blank lines', () => {
    const t = parseCsv('"a","b c"\r\n1,"x,""y"""\r\n\r\n2,\n')
    expect(t.header).toEqual(['a', 'b c'])
    expect(t.rows).toEqual([
      ['1', 'x,"y"'],
      ['2', ''],
    ])
  })
  it('keeps newlines inside quoted fields', () => {
    expect(parseCsv('a,b\n"l1\nl2",3').rows).toEqual([['l1\nl2', '3']])
  })
  it('rejects oversized input before parsing', () => {
    expect(() => parseCsv('a,b\n1,2\n', { maxBytes: 4 })).toThrow(
      expect.objectContaining({ name: 'DataTooLargeError' }),
    )
  })
  it('rejects ragged rows, naming the row', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n')).toThrow(/data row 2 has 1 fields/)
  })
  it('rejects unterminated quotes, duplicate and empty header names', () => {
    expect(() => parseCsv('a,b\n"1,2\n')).toThrow(expect.objectContaining({ name: 'CsvParseError' }))
    expect(() => parseCsv('a,a\n1,2\n')).toThrow(/repeats the column 'a'/)
    expect(() => parseCsv('a,\n1,2\n')).toThrow(/empty column name/)
    expect(() => parseCsv('')).toThrow(/empty/)
  })
})
