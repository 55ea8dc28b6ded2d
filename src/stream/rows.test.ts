import { describe, expect, it } from 'vitest'
import { tensorFromValues } from '../exec/tensor-values.js'
import { outputsAsJson, parseRow } from './rows.js'

describe('parseRow', () => {
  it('reads NDJSON arrays, NDJSON objects by input name, and CSV', () => {
    expect(parseRow('[1, 2.5, -3]', 'x')).toEqual([1, 2.5, -3])
    expect(parseRow('{"x": [4, 5], "ts": 17}', 'x')).toEqual([4, 5])
    expect(parseRow(' 1,2 , 3e-2 ', 'x')).toEqual([1, 2, 0.03])
  })
  it('skips blank lines and CSV headers', () => {
    expect(parseRow('   ', 'x')).toBeUndefined()
    expect(parseRow('a,b,c', 'x')).toBeUndefined()
  })
  it('names what is wrong', () => {
    expect(() => parseRow('[1, "a"]', 'x')).toThrow('value 2 of the row is not a number: "a"')
    expect(() => parseRow('1,,3', 'x')).toThrow('value 2 of the row is not a number')
    expect(() => parseRow('{"y": [1]}', 'x')).toThrow("row has no array for input 'x'")
    expect(() => parseRow('[1,', 'x')).toThrow('row is not valid JSON')
  })
})

describe('outputsAsJson', () => {
  it('gives plain numbers, int64 included', () => {
    expect(
      outputsAsJson({
        p: tensorFromValues('float32', [1, 2], [0.25, 0.75]),
        label: tensorFromValues('int64', [1], [1n]),
      }),
    ).toEqual({
      p: [0.25, 0.75],
      label: [1],
    })
  })
})
