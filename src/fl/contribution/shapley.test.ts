import { describe, expect, it } from 'vitest'
import { leaveOneOut, shapleyValues } from './shapley.js'

describe('Shapley values', () => {
  const worth = [3, 1, 0, 2]
  const additive = (s: readonly number[]) => s.reduce((a, i) => a + worth[i], 0)
  // holders 0 and 1 are perfect substitutes (duplicated data), holder 2 adds a separate 1
  const substitutes = (s: readonly number[]) =>
    (s.includes(0) || s.includes(1) ? 2 : 0) + (s.includes(2) ? 1 : 0)

  it('exact: additive game gives each holder its own worth; efficiency holds', () => {
    expect(shapleyValues(4, additive).map((v) => Math.round(v * 1e9) / 1e9)).toEqual(worth)
    const phi = shapleyValues(3, substitutes)
    expect(phi[0]).toBeCloseTo(1, 9)
    expect(phi[1]).toBeCloseTo(1, 9)
    expect(phi[2]).toBeCloseTo(1, 9)
  })
  it('sampled GTG estimator approximates the exact values and evaluates each coalition once', () => {
    let calls = 0
    const u = (s: readonly number[]) => {
      calls++
      return additive(s) + (s.length >= 3 ? 0.5 : 0)
    }
    const exact = shapleyValues(4, u)
    calls = 0
    const mc = shapleyValues(4, u, { exactUpTo: 0, permutations: 400, seed: 3 })
    expect(calls).toBeLessThanOrEqual(16)
    for (const [i, v] of mc.entries()) expect(Math.abs(v - exact[i])).toBeLessThan(0.1)
    expect(mc.reduce((a, b) => a + b)).toBeCloseTo(u([0, 1, 2, 3]) - u([]), 9)
  })
  it('leave-one-out gives substitutes nothing', () => {
    expect(leaveOneOut(3, substitutes)).toEqual([0, 0, 1])
  })
})
