import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planShards, ShardFailedError, ShardScheduler } from './shard-plan.js'

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

describe('ShardScheduler', () => {
  it('completes each shard once whatever the order of failures, duplicates and late results', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 300 }), (ops) => {
        const sched = new ShardScheduler(planShards(40, 3, 1), 1000)
        const providers = ['a', 'b', 'c']
        const held: { idx: number; p: string }[] = []
        const completions = new Map<number, number>()
        let step = 0
        for (const op of ops) {
          const p = providers[step++ % 3]
          if (op <= 2) {
            const s = sched.take(p)
            if (s) held.push({ idx: s.idx, p })
          } else if (op === 3 && held.length) {
            const h = held.shift()!
            if (sched.complete(h.idx, h.p)) completions.set(h.idx, (completions.get(h.idx) ?? 0) + 1)
            sched.complete(h.idx, h.p) // duplicate result is harmless
          } else if (op === 4) {
            sched.releaseAll(p)
          } else if (held.length) {
            const h = held.pop()!
            sched.release(h.idx, h.p)
          }
        }
        // drain: a fresh provider finishes everything still open
        for (let s = sched.take('z'); s; s = sched.take('z')) {
          if (sched.complete(s.idx, 'z')) completions.set(s.idx, (completions.get(s.idx) ?? 0) + 1)
        }
        for (const h of held)
          if (sched.complete(h.idx, h.p)) completions.set(h.idx, (completions.get(h.idx) ?? 0) + 1)
        expect(sched.allDone).toBe(true)
        expect([...completions.values()].every((c) => c === 1)).toBe(true)
        expect(completions.size).toBe(sched.shards.length)
      }),
    )
  })

  it('fails a shard that keeps failing, and does not count busy refusals', () => {
    const sched = new ShardScheduler(planShards(1, 1, 1), 2)
    for (let i = 0; i < 5; i++) sched.refuse(sched.take('a')!.idx, 'a')
    sched.release(sched.take('a')!.idx, 'a')
    expect(() => sched.release(sched.take('b')!.idx, 'b')).toThrow(ShardFailedError)
  })
})
