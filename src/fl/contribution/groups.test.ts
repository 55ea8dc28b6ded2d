import { describe, expect, it } from 'vitest'
import { groupUpdates, randomGroups, splitGroupValues } from './groups.js'

describe('group valuation helpers', () => {
  it('random groups cover every holder once with at least `size` members', () => {
    for (const [n, size] of [
      [7, 2],
      [6, 3],
      [2, 3],
    ]) {
      const g = randomGroups(n, size, 4)
      expect(g.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i))
      if (n >= size) for (const x of g) expect(x.length).toBeGreaterThanOrEqual(size)
    }
    expect(randomGroups(7, 2, 4)).toEqual(randomGroups(7, 2, 4))
  })
  it('group updates are the groups FedAvg; values split by sample count', () => {
    const ups = [1, 3, 5].map((v, i) => ({ holder: `h${i}`, weights: Float32Array.of(v), numSamples: i + 1 }))
    const g = groupUpdates(ups, [[0, 1], [2]])
    expect(g.map((u) => [u.holder, u.weights[0], u.numSamples])).toEqual([
      ['h0+h1', Math.fround((1 * 1 + 3 * 2) / 3), 3],
      ['h2', 5, 3],
    ])
    expect(splitGroupValues([[0, 1], [2]], [3, -1], [1, 2, 3])).toEqual([1, 2, -1])
  })
})
