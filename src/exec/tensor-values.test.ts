import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.js'
import { fromFloat16Bits, tensorFromValues, tensorToValues, toFloat16Bits } from './tensor-values.js'

describe('tensor values', () => {
  it('converts float16 bits both ways for every finite half value', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue
      if (toFloat16Bits(fromFloat16Bits(bits)) !== bits) expect(bits).toBe(-1)
    }
    expect(toFloat16Bits(1e6)).toBe(0x7c00)
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00) // tie rounds to even
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(Number.NaN)))).toBe(true)
  })

  it('rounds float16 to the nearest half value', () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const h = fromFloat16Bits(toFloat16Bits(x))
        const step = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(x), 2 ** -14))) - 10)
        expect(Math.abs(h - x)).toBeLessThanOrEqual(step / 2 + 1e-12)
      }),
    )
  })

  it('rejects wrong counts and out-of-range values', () => {
    expect(() => tensorFromValues('float32', [2, 2], [1, 2, 3])).toThrow(InvalidInputError)
    expect(() => tensorFromValues('uint8', [1], [256])).toThrow(/does not fit dtype uint8/)
    expect(() => tensorFromValues('int32', [1], [1.5])).toThrow(/does not fit dtype int32/)
    expect(() => tensorFromValues('int64', [1], [2n ** 63n])).toThrow(/does not fit dtype int64/)
    expect(() => tensorFromValues('bool', [1], [2])).toThrow(/does not fit dtype bool/)
    expect(tensorToValues(tensorFromValues('int64', [2], [3, -4n]))).toEqual([3n, -4n])
  })
})
