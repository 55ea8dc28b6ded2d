import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adaptive, replicate } from '../verify/index.js'
import { planShards } from './shard-plan.js'
import { type Answer, VoteScheduler } from './vote-scheduler.js'

const ans = (provider: string, out: string): Answer => ({
  provider,
  taskId: `${provider}-${out}`,
  hash: out,
  body: new Uint8Array(),
})
const eq = (a: Answer, b: Answer) => a.hash === b.hash

describe('VoteScheduler', () => {
  it('without a policy takes each shard once and accepts the first answer', () => {
    const s = new VoteScheduler(planShards(30, 10, 1), undefined, eq)
    const a = s.take('p1')!
    const b = s.take('p2')!
    expect([a.shard.idx, b.shard.idx, a.replica]).toEqual([0, 1, false])
    expect(s.answer(0, ans('p1', 'x')).status).toBe('accepted')
    expect(s.doneCount).toBe(1)
    expect(s.answer(0, ans('p1', 'x')).status).toBe('late')
  })

  it('replicate(3, 2) sends a shard to three distinct providers and outvotes the odd one', () => {
    const s = new VoteScheduler(planShards(10, 10, 1), replicate(3, 2), eq)
    expect(s.take('p1')!.replica).toBe(false)
    expect(s.take('p1')).toBeUndefined() // never twice to the same provider
    expect(s.take('p2')!.replica).toBe(true)
    expect(s.take('p3')!.replica).toBe(true)
    expect(s.take('p4')).toBeUndefined()
    expect(s.answer(0, ans('p1', 'bad')).status).toBe('pending')
    expect(s.answer(0, ans('p2', 'good')).status).toBe('pending')
    const r = s.answer(0, ans('p3', 'good'))
    expect(r.status).toBe('accepted')
    if (r.status !== 'accepted') return
    expect(r.winner.hash).toBe('good')
    expect(r.agreeing.map((a) => a.provider).sort()).toEqual(['p2', 'p3'])
    expect(r.outvoted.map((a) => a.provider)).toEqual(['p1'])
    expect(s.allDone).toBe(true)
  })

  it('adaptive adds a tie-breaker when the first two disagree', () => {
    const s = new VoteScheduler(planShards(10, 10, 1), adaptive({ seed: 1 }), eq)
    s.take('p1')
    s.take('p2')
    expect(s.take('p3')).toBeUndefined()
    s.answer(0, ans('p1', 'a'))
    expect(s.answer(0, ans('p2', 'b')).status).toBe('pending')
    expect(s.take('p1')).toBeUndefined()
    expect(s.take('p3')?.replica).toBe(true)
    const r = s.answer(0, ans('p3', 'a'))
    expect(r.status === 'accepted' && r.outvoted[0].provider).toBe('p2')
  })

  it('gives a shard back when its provider vanishes, and another provider can take it', () => {
    const s = new VoteScheduler(planShards(20, 10, 1), replicate(2, 2), eq)
    s.take('p1')
    s.take('p2')
    expect(s.releaseAll('p2')).toEqual([0])
    expect(s.take('p3')?.shard.idx).toBe(0)
    s.answer(0, ans('p1', 'x'))
    expect(s.answer(0, ans('p3', 'x')).status).toBe('accepted')
  })

  it('stalled shards can be settled unchecked when no second provider exists', () => {
    const s = new VoteScheduler(planShards(10, 10, 1), adaptive({ seed: 1 }), eq)
    s.take('p1')
    s.answer(0, ans('p1', 'x'))
    expect(s.stalled()).toEqual([0])
    // with a live second provider that has not answered it, the shard only waits its turn: not stalled
    expect(s.stalled(new Set(['p1', 'p2']))).toEqual([])
    expect(s.stalled(new Set(['p1']))).toEqual([0])
    expect(s.settleUnchecked(0)?.provider).toBe('p1')
    expect(s.allDone).toBe(true)
  })

  it('starts a shard over when no quorum is possible', () => {
    const s = new VoteScheduler(planShards(10, 10, 1), replicate(2, 2), eq)
    s.take('p1')
    s.take('p2')
    s.answer(0, ans('p1', 'a'))
    expect(s.answer(0, ans('p2', 'b')).status).toBe('no-quorum')
    expect(s.take('p1')?.replica).toBe(false)
  })

  it('a decided shard takes late answers once per assignment: no double credit, no give-back', () => {
    const s = new VoteScheduler(planShards(10, 10, 1), replicate(3, 2), eq, 1)
    for (const p of ['p1', 'p2', 'p3']) s.take(p)
    s.answer(0, ans('p1', 'good'))
    expect(s.answer(0, ans('p2', 'good')).status).toBe('accepted')
    // a duplicate from a provider already counted, or from one never assigned, agrees with nothing
    expect(s.answer(0, ans('p2', 'good'))).toEqual({ status: 'late', agrees: false })
    expect(s.answer(0, ans('p9', 'good'))).toEqual({ status: 'late', agrees: false })
    // the outstanding third replica may still vanish: nothing is re-opened and no attempt limit trips
    expect(() => s.releaseAll('p3')).not.toThrow()
    expect(s.take('p4')).toBeUndefined()
    expect(s.answer(0, ans('p3', 'good'))).toEqual({ status: 'late', agrees: false })
    expect(s.doneCount).toBe(1)
  })

  it('an outstanding replica that answers after the decision is useful work, counted once', () => {
    const s = new VoteScheduler(planShards(10, 10, 1), replicate(3, 2), eq)
    for (const p of ['p1', 'p2', 'p3']) s.take(p)
    s.answer(0, ans('p1', 'good'))
    s.answer(0, ans('p2', 'good'))
    expect(s.answer(0, ans('p3', 'good'))).toEqual({ status: 'late', agrees: true })
    expect(s.answer(0, ans('p3', 'good'))).toEqual({ status: 'late', agrees: false })
  })

  it('accepts each shard exactly once whatever the order of failures, duplicates and late answers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 300 }), (ops) => {
        const s = new VoteScheduler(planShards(40, 3, 1), undefined, eq, 1000)
        const providers = ['a', 'b', 'c']
        const held: { idx: number; p: string }[] = []
        const accepted = new Map<number, number>()
        const answer = (idx: number, p: string) => {
          if (s.answer(idx, ans(p, `out-${idx}`)).status === 'accepted')
            accepted.set(idx, (accepted.get(idx) ?? 0) + 1)
        }
        let step = 0
        for (const op of ops) {
          const p = providers[step++ % 3]
          if (op <= 2) {
            const t = s.take(p)
            if (t) held.push({ idx: t.shard.idx, p })
          } else if (op === 3 && held.length) {
            const h = held.shift()!
            answer(h.idx, h.p)
            answer(h.idx, h.p) // a duplicate answer is harmless
          } else if (op === 4) {
            s.releaseAll(p)
          } else if (held.length) {
            const h = held.pop()!
            s.release(h.idx, h.p)
          }
        }
        // drain: a fresh provider finishes what is open, then late answers arrive
        for (let t = s.take('z'); t; t = s.take('z')) answer(t.shard.idx, 'z')
        for (const h of held) answer(h.idx, h.p)
        expect(s.allDone).toBe(true)
        expect(accepted.size).toBe(s.shards.length)
        expect([...accepted.values()].every((n) => n === 1)).toBe(true)
      }),
    )
  })
})
