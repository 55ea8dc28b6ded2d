import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planShards } from './shard-plan.js'

describe('planShards', () => {
  it('covers every sample exactly once, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 700 }), (n, size) => {
        const shards = planShards(n, size, 3)
        expect(shards[0].start).toBe(0)
        expect(shards.at(-1)!.end).toBe(n)
        for (let i = 1; i < shards.length; i++) expect(shards[i].start).toBe(shards[i - 1].end)
        expect(shards.reduce((a, s) => a + s.units, 0)).toBe(n * 3)
      }),
    )
  })
})
