import { InvalidInputError } from '../errors.js'
import type { TensorMap } from '../exec/tensor.js'
import { tensorToValues } from '../exec/tensor-values.js'

/** Largest row `mutirao stream` reads (bytes of text). */
export const MAX_ROW_CHARS = 1 << 20

/**
 * One line of a sample stream as numbers: NDJSON (`[1, 2, 3]` or `{"x": [1, 2, 3]}` for input `x`) or CSV
 * (`1,2,3`). Returns undefined for a blank line or a CSV header.
 * @throws InvalidInputError naming what is wrong with the line.
 */
export function parseRow(line: string, input: string): number[] | undefined {
  const text = line.trim()
  if (!text) return undefined
  if (text.length > MAX_ROW_CHARS)
    throw new InvalidInputError(`row of ${text.length} characters is over ${MAX_ROW_CHARS}`)
  let values: unknown
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      values = JSON.parse(text)
    } catch {
      throw new InvalidInputError('row is not valid JSON')
    }
    if (!Array.isArray(values)) values = (values as Record<string, unknown>)[input]
    if (!Array.isArray(values)) throw new InvalidInputError(`row has no array for input '${input}'`)
  } else {
    const cells = text.split(',').map((c) => c.trim())
    if (cells.every((c) => Number.isNaN(Number(c)))) return undefined // a header
    values = cells.map((c) => (c === '' ? Number.NaN : Number(c)))
  }
  const nums = values as unknown[]
  const bad = nums.findIndex((v) => typeof v !== 'number' || Number.isNaN(v))
  if (bad >= 0)
    throw new InvalidInputError(`value ${bad + 1} of the row is not a number: ${JSON.stringify(nums[bad])}`)
  return nums as number[]
}

/** A session's outputs as JSON-friendly arrays of numbers (int64 as numbers). */
export const outputsAsJson = (outputs: TensorMap): Record<string, number[]> =>
  Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, tensorToValues(t).map(Number)]))
