import { describe, expect, it } from 'vitest'
import { inferBatchAxes } from './infer-batch-axes.js'

const recurrent = {
  inputs: [
    { name: 'state', dtype: 'float32' as const, dims: [2, 'N', 128] },
    { name: 'sr', dtype: 'int64' as const, dims: [] },
    { name: 'x', dtype: 'float32' as const, dims: ['N', 16] },
  ],
  outputs: [
    { name: 'stateN', dtype: 'float32' as const, dims: [2, 'N', 128] },
    { name: 'y', dtype: 'float32' as const, dims: ['N'] },
  ],
}

describe('inferBatchAxes', () => {
  it('infers axis 1 for a recurrent state, broadcast for a scalar, and joins outputs on the batch dim', () => {
    expect(inferBatchAxes(recurrent)).toEqual({
      inputs: { state: 1, sr: 'broadcast', x: 0 },
      outputs: { stateN: 1, y: 0 },
    })
  })

  it('explicit axes win; out-of-range or unknown names are refused, named', () => {
    expect(inferBatchAxes(recurrent, { inputs: { x: 'broadcast' }, outputs: { y: 0 } }).inputs.x).toBe(
      'broadcast',
    )
    expect(() => inferBatchAxes(recurrent, { inputs: { state: 3 } })).toThrow(
      "input 'state' has rank 3: batch axis 3 is out of range",
    )
    expect(() => inferBatchAxes(recurrent, { outputs: { nope: 0 } })).toThrow(
      "batch axis given for 'nope', which is not an output of the model",
    )
  })

  it('asks for an explicit axis when several dims are symbolic and none is first', () => {
    const ambiguous = { inputs: [{ name: 'a', dtype: 'float32' as const, dims: [3, 'T', 'N'] }], outputs: [] }
    expect(() => inferBatchAxes(ambiguous)).toThrow(/several symbolic dims/)
    expect(inferBatchAxes(ambiguous, { inputs: { a: 2 } }).inputs.a).toBe(2)
  })
})
