import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tensorFromValues } from '../exec/tensor-values.js'
import { decodeAnswer, quantiseOutputs, quantiseValue } from './quantise.js'

describe('quantiseValue', () => {
  it('rounds half away from zero at the requested decimals', () => {
    expect(quantiseValue(0.5, 0)).toBe(1n)
    expect(quantiseValue(-0.5, 0)).toBe(-1n)
    expect(quantiseValue(1.2345678, 6)).toBe(1_234_568n)
    expect(quantiseValue(-1.2345674, 6)).toBe(-1_234_567n)
    expect(quantiseValue(-0.0000001, 6)).toBe(0n)
    expect(quantiseValue(true, 2)).toBe(100n)
    expect(quantiseValue(7n, 3)).toBe(7000n)
  })
  it('refuses values that have no integer form', () => {
    expect(() => quantiseValue(Number.NaN, 6)).toThrow(/cannot be quantised/)
    expect(() => quantiseValue(Number.POSITIVE_INFINITY, 6)).toThrow(/cannot be quantised/)
    expect(() => quantiseValue(1e21, 0)).toThrow(/cannot be quantised/)
  })
  it('matches the exact decimal rounding of the float for any value and any decimals', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 18 }),
        (v, d) => {
          const q = quantiseValue(v, d)
          // within half a unit of the scaled value, and the same for the same float
          expect(Math.abs(Number(q) / 10 ** d - v)).toBeLessThanOrEqual(0.5 / 10 ** d + Math.abs(v) * 1e-15)
          expect(quantiseValue(v, d)).toBe(q)
        },
      ),
    )
  })
})

describe('quantiseOutputs', () => {
  it('encodes every output by name order as int256[] and decodes back', () => {
    const out = {
      z: tensorFromValues('float32', [1, 2], [0.25, -0.75]),
      a: tensorFromValues('int64', [1], [3n]),
    }
    const { values, encoded } = quantiseOutputs(out, 2)
    expect(values).toEqual([300n, 25n, -75n])
    expect(decodeAnswer(encoded)).toEqual([300n, 25n, -75n])
  })
  it('refuses an empty or oversized answer', () => {
    expect(() => quantiseOutputs({}, 2)).toThrow(/1–60/)
    const big = { y: tensorFromValues('float32', [61], new Array(61).fill(0)) }
    expect(() => quantiseOutputs(big, 2)).toThrow(/61 output values/)
  })
})
