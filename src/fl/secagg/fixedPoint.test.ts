import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeFixedPoint,
  encodeFixedPoint,
  fixedPointBound,
  ringAddInto,
  ringFromBytes,
  ringToBytes,
} from './fixedPoint.js'

describe('fixed-point encoding in Z/2^32', () => {
  it('round-trips within 2^-17 and sums without wrap-around up to the bound', () => {
    const holders = 50
    const bound = fixedPointBound(holders)
    expect(bound).toBeCloseTo(655.36, 1)
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -bound, max: bound, noNaN: true }), {
          minLength: holders,
          maxLength: holders,
        }),
        (xs) => {
          const acc = new Uint32Array(1)
          for (const x of xs) {
            const e = encodeFixedPoint([x], { holders })
            expect(Math.abs(decodeFixedPoint(e)[0] - x)).toBeLessThanOrEqual(2 ** -17)
            ringAddInto(acc, e)
          }
          const exact = xs.reduce((a, b) => a + b, 0)
          expect(Math.abs(decodeFixedPoint(acc)[0] - exact)).toBeLessThanOrEqual(holders * 2 ** -17 + 1e-9)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('the worst case (every holder at ±bound) still decodes correctly', () => {
    const holders = 10
    const bound = fixedPointBound(holders)
    for (const sign of [1, -1]) {
      const acc = new Uint32Array(1)
      for (let h = 0; h < holders; h++) ringAddInto(acc, encodeFixedPoint([sign * bound], { holders }))
      expect(decodeFixedPoint(acc)[0]).toBeCloseTo(sign * bound * holders, 3)
    }
  })

  it('refuses values that could wrap, and non-finite values', () => {
    const bound = fixedPointBound(3)
    expect(() => encodeFixedPoint([bound * 1.001], { holders: 3 })).toThrow(
      expect.objectContaining({ name: 'FixedPointRangeError' }),
    )
    expect(() => encodeFixedPoint([Number.NaN], { holders: 3 })).toThrow(/index 0/)
    expect(() => encodeFixedPoint([1], { holders: 3, scaleBits: 40 })).toThrow(/scaleBits/)
  })

  it('serialises ring vectors as little-endian bytes', () => {
    const v = new Uint32Array([0, 1, 0xdeadbeef, 0xffffffff])
    const bytes = ringToBytes(v)
    expect(bytes.slice(8, 12)).toEqual(new Uint8Array([0xef, 0xbe, 0xad, 0xde]))
    expect(ringFromBytes(bytes)).toEqual(v)
  })
})
