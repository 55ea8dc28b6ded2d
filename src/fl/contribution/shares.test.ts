import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allocateShares } from './shares.js'

describe('allocateShares', () => {
  it('largest-remainder rounding', () => {
    expect(allocateShares([0.5, 0.25, 0.25], 10n)).toEqual([5n, 3n, 2n])
    expect(allocateShares([1, 1, 1], 10n)).toEqual([4n, 3n, 3n])
    expect(allocateShares([-1, 2, 0], 7n)).toEqual([0n, 7n, 0n])
    expect(allocateShares([0, -3], 5n)).toEqual([3n, 2n])
    expect(allocateShares([], 5n)).toEqual([])
    expect(() => allocateShares([1], -1n)).toThrow(/non-negative/)
  })
  it('shares always sum exactly to the budget and follow the values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }),
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        (values, budget) => {
          const s = allocateShares(values, budget)
          expect(s.reduce((a, b) => a + b, 0n)).toBe(budget)
          for (let i = 0; i < values.length; i++) {
            for (let j = 0; j < values.length; j++) {
              if (values[i] > 0 && values[i] > values[j] * 1.01 + 1e-9 && budget > 10n ** 6n) {
                expect(s[i] >= s[j]).toBe(true)
              }
            }
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
