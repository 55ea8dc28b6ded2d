import { describe, expect, it } from 'vitest'
import { InvalidTensorError } from './errors.js'
import type { TensorMap } from './tensor.js'
import { batchSize, concatBatch, maxAbsDiff, maxAbsDiffMap, sliceBatch } from './tensor-batch.js'
import { tensorFromValues, tensorToValues } from './tensor-values.js'

const map: TensorMap = {
  x: tensorFromValues('float32', [4, 2], [0, 1, 10, 11, 20, 21, 30, 31]),
  id: tensorFromValues('int64', [4], [0n, 1n, 2n, 3n]),
  m: tensorFromValues('bool', [4, 1, 1], [true, false, true, false]),
}

describe('batch helpers', () => {
  it('reads the shared batch size and rejects mismatches', () => {
    expect(batchSize(map)).toBe(4)
    expect(() => batchSize({ ...map, y: tensorFromValues('int32', [3], [1, 2, 3]) })).toThrow(
      InvalidTensorError,
    )
    expect(() => batchSize({})).toThrow(/empty/)
    expect(() => batchSize({ s: tensorFromValues('float32', [], [1]) })).toThrow(/scalar/)
  })

  it('slices rows and concatenates them back', () => {
    const a = sliceBatch(map, 0, 1)
    const b = sliceBatch(map, 1, 4)
    expect(a.x.dims).toEqual([1, 2])
    expect(tensorToValues(b.x)).toEqual([10, 11, 20, 21, 30, 31])
    expect(tensorToValues(b.id)).toEqual([1n, 2n, 3n])
    expect(b.m.dims).toEqual([3, 1, 1])
    const back = concatBatch([a, sliceBatch(map, 1, 1), b])
    expect(maxAbsDiffMap(back, map)).toBe(0)
    expect(back.x.dims).toEqual([4, 2])
    expect(() => sliceBatch(map, 2, 5)).toThrow(/outside/)
  })

  it('refuses to concatenate parts with different shapes or names', () => {
    const other = { ...sliceBatch(map, 0, 1), x: tensorFromValues('float32', [1, 3], [1, 2, 3]) }
    expect(() => concatBatch([map, other])).toThrow(/part 1 tensor 'x'/)
    const { id: _id, ...fewer } = map
    expect(() => concatBatch([fewer, map])).toThrow(/other tensor names/)
  })

  it('measures the largest absolute difference, NaN-aware', () => {
    const a = tensorFromValues('float32', [3], [1, Number.NaN, 3])
    expect(maxAbsDiff(a, tensorFromValues('float32', [3], [1.5, Number.NaN, 2]))).toBe(1)
    expect(maxAbsDiff(a, tensorFromValues('float32', [3], [1, 0, 3]))).toBe(Number.POSITIVE_INFINITY)
    expect(maxAbsDiff(map.id, tensorFromValues('int64', [4], [0n, 1n, 2n, 9n]))).toBe(6)
    expect(() => maxAbsDiff(a, map.id)).toThrow(InvalidTensorError)
  })
})
