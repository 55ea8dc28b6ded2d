import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rocAuc } from './roc-auc.js'

/** The definition: share of (positive, negative) pairs ordered right, ties one half. O(n²). */
const pairwise = (s: number[], p: boolean[]) => {
  let good = 0
  let pairs = 0
  for (let i = 0; i < s.length; i++)
    for (let j = 0; j < s.length; j++)
      if (p[i] && !p[j]) {
        pairs++
        good += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0
      }
  return good / pairs
}

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1)
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0)
    expect(rocAuc([0.5, 0.5, 0.5], [true, false, false])).toBe(0.5)
  })
  it('equals the pairwise definition on any scores, ties included', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 2, maxLength: 60 })
          .filter((r) => r.some(([, p]) => p) && r.some(([, p]) => !p)),
        (rows) => {
          const s = rows.map(([v]) => v / 6)
          const p = rows.map(([, q]) => q)
          expect(rocAuc(s, p)).toBeCloseTo(pairwise(s, p), 12)
        },
      ),
    )
  })
  it('refuses one-class data', () => {
    expect(() => rocAuc([1, 2], [true, true])).toThrow(/both positive and negative/)
  })
})
