import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidTensorError } from './errors.js'
import { DTYPE_BYTES, DTYPES, type Tensor, type TensorMap } from './tensor.js'
import { decodeTensors, encodeTensorParts, encodeTensors } from './tensor-codec.js'
import { tensorFromValues } from './tensor-values.js'

const tensorArb = fc
  .record({
    dtype: fc.constantFrom(...DTYPES),
    dims: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }),
  })
  .chain(({ dtype, dims }) => {
    const n = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype]
    return fc.uint8Array({ minLength: n, maxLength: n }).map((data): Tensor => ({ dtype, dims, data }))
  })

const mapArb = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '__proto__'),
  tensorArb,
  {
    maxKeys: 5,
  },
)

const sample: TensorMap = {
  x: tensorFromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
  ids: tensorFromValues('int64', [2], [7n, -8n]),
}

describe('tensor codec', () => {
  it('round-trips any tensor map, with 8-aligned data', () => {
    fc.assert(
      fc.property(mapArb, (map) => {
        const bytes = encodeTensors(map)
        expect(bytes.byteLength % 8).toBe(0)
        const back = decodeTensors(bytes)
        expect(Object.keys(back)).toEqual(Object.keys(map))
        for (const [name, t] of Object.entries(map)) {
          expect(back[name].dtype).toBe(t.dtype)
          expect(back[name].dims).toEqual(t.dims)
          expect(Array.from(back[name].data)).toEqual(Array.from(t.data))
          expect(back[name].data.byteOffset % 8).toBe(0)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('encodes the same bytes as parts, with tensor data as views of the input (no copy)', () => {
    fc.assert(
      fc.property(mapArb, (map) => {
        const parts = encodeTensorParts(map)
        expect(Buffer.concat(parts)).toEqual(Buffer.from(encodeTensors(map)))
        for (const t of Object.values(map)) {
          if (t.data.byteLength > 0) expect(parts.some((p) => p === t.data)).toBe(true)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('refuses to encode a tensor whose bytes do not match its dims', () => {
    expect(() => encodeTensors({ x: { dtype: 'float32', dims: [3], data: new Uint8Array(8) } })).toThrow(
      InvalidTensorError,
    )
  })

  it('rejects wrong magic, truncation, trailing bytes and unknown dtypes', () => {
    const good = encodeTensors(sample)
    const badMagic = good.slice()
    badMagic[0] = 0
    expect(() => decodeTensors(badMagic)).toThrow(/magic/)
    expect(() => decodeTensors(good.subarray(0, good.length - 8))).toThrow(/expected .* bytes/)
    const longer = new Uint8Array(good.length + 8)
    longer.set(good)
    expect(() => decodeTensors(longer)).toThrow(/expected .* bytes/)
    expect(() => decodeTensors(good.subarray(0, 20))).toThrow(InvalidTensorError)
    const badDtype = good.slice()
    badDtype[12 + 2 + 1] = 99 // first tensor 'x': nameLen u16, 'x', then dtype
    expect(() => decodeTensors(badDtype)).toThrow(/dtype code 99/)
  })

  it('enforces limits on count, rank and total bytes before allocating', () => {
    const good = encodeTensors(sample)
    expect(() => decodeTensors(good, { maxTensors: 1 })).toThrow(/2 tensors exceed/)
    expect(() => decodeTensors(good, { maxRank: 1 })).toThrow(/rank 2 exceeds/)
    expect(() => decodeTensors(good, { maxTotalBytes: 30 })).toThrow(/exceed/)
    // a header claiming a 4-billion-element tensor is refused from the header alone
    const huge = good.slice()
    new DataView(huge.buffer).setUint32(12 + 2 + 1 + 2, 0xffffffff, true)
    expect(() => decodeTensors(huge)).toThrow(/exceeds/)
  })

  it('survives arbitrary garbage with InvalidTensorError only', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeTensors(bytes)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidTensorError)
        }
      }),
    )
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const bytes = encodeTensors(sample)
        bytes[i] = v
        try {
          decodeTensors(bytes)
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidTensorError)
        }
      }),
    )
  })
})
