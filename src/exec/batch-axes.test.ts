import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { batchSizeAlong, concatAlong, sliceAlong } from './batch-axes.js'
import { tensorFromValues, tensorToValues } from './tensor-values.js'

/** state[l][n][k] = 100 l + 10 n + k: a tensor whose every element says where it sits. */
const state = (layers: number, n: number, k: number) =>
  tensorFromValues(
    'float32',
    [layers, n, k],
    Array.from({ length: layers * n * k }, (_, i) => {
      const l = Math.floor(i / (n * k))
      const r = i % (n * k)
      return 100 * l + 10 * Math.floor(r / k) + (r % k)
    }),
  )

describe('batch axes', () => {
  const map = { state: state(2, 5, 3), sr: tensorFromValues('int64', [], [16000n]) }
  const axes = { state: 1, sr: 'broadcast' as const }

  it('counts samples on each tensor’s own axis and ignores broadcast tensors', () => {
    expect(batchSizeAlong(map, axes)).toBe(5)
    expect(batchSizeAlong({ sr: map.sr }, { sr: 'broadcast' })).toBe(1)
    expect(() => batchSizeAlong(map)).toThrow(/scalar/)
    expect(() => batchSizeAlong({ ...map, other: state(5, 2, 1) }, { ...axes, other: 1 })).toThrow(
      /'other' has 2 samples on axis 1, 'state' has 5/,
    )
  })

  it('slices along axis 1 and passes broadcast tensors whole', () => {
    const s = sliceAlong(map, 1, 3, axes)
    expect(s.sr).toBe(map.sr)
    expect(s.state.dims).toEqual([2, 2, 3])
    expect(tensorToValues(s.state)).toEqual([10, 11, 12, 20, 21, 22, 110, 111, 112, 120, 121, 122])
  })

  it('property: concatenating the slices along any axis gives back the tensor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 5 }),
        (a, b, c, axis, sizes) => {
          const t = state(a, b, c)
          const dims = t.dims
          const m = { t }
          const n = dims[axis]
          const parts = []
          let start = 0
          for (const size of sizes) {
            if (start >= n) break
            const end = Math.min(n, start + size)
            parts.push(sliceAlong(m, start, end, { t: axis }))
            start = end
          }
          if (start < n) parts.push(sliceAlong(m, start, n, { t: axis }))
          const joined = concatAlong(parts, { t: axis })
          expect(joined.t.dims).toEqual(dims)
          expect(Buffer.from(joined.t.data).equals(Buffer.from(t.data))).toBe(true)
        },
      ),
    )
  })
})
