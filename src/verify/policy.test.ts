import { describe, expect, it } from 'vitest'
import { AdaptivePolicy, adaptive, adaptiveBook } from './policy/adaptive.js'
import { combine } from './policy/combine.js'
import { replicate } from './policy/replicate.js'
import { spot } from './policy/spot.js'
import { decideQuorum } from './quorum.js'
import { type SimProvider, simulate } from './simulation.js'

const eq = (a: string, b: string) => a === b
const honest = (n: number): SimProvider[] =>
  Array.from({ length: n }, (_, i) => ({ id: `h${i}`, behaviour: 'honest' }))

describe('decideQuorum', () => {
  it('accepts the agreeing majority and names the outvoted', () => {
    const d = decideQuorum(
      [
        { provider: 'a', output: 'x' },
        { provider: 'b', output: 'y' },
        { provider: 'c', output: 'x' },
      ],
      { quorum: 2, maxReplicas: 3, equal: eq },
    )
    expect(d).toEqual({ status: 'accepted', output: 'x', agreeing: ['a', 'c'], outvoted: ['b'] })
  })

  it('waits while quorum is reachable, gives up when not, and counts a provider once', () => {
    const two = [
      { provider: 'a', output: 'x' },
      { provider: 'b', output: 'y' },
    ]
    expect(decideQuorum(two, { quorum: 2, maxReplicas: 3, equal: eq }).status).toBe('pending')
    expect(decideQuorum(two, { quorum: 2, maxReplicas: 2, equal: eq }).status).toBe('no-quorum')
    const dup = [
      { provider: 'a', output: 'x' },
      { provider: 'a', output: 'x' },
    ]
    expect(decideQuorum(dup, { quorum: 2, maxReplicas: 2, equal: eq })).toMatchObject({
      status: 'pending',
      needed: 1,
    })
  })
})

describe('policies in simulation (real policy code)', () => {
  const byzantine: SimProvider[] = [
    ...honest(6),
    { id: 'wrong', behaviour: 'always-wrong' },
    { id: 'cheat', behaviour: 'cheater', cheatRate: 0.1 },
    { id: 'lazy', behaviour: 'lazy-random' },
    { id: 'col1', behaviour: 'colluder' },
    { id: 'col2', behaviour: 'colluder' },
  ]

  it('replicate(3, 2): no wrong result accepted when at most one colluder shares a task', () => {
    // One colluder only: no two Byzantine providers ever return the same wrong answer.
    const providers = byzantine.filter((p) => p.id !== 'col2')
    const s = simulate({
      providers,
      tasks: 3000,
      policy: replicate(3, 2, { excludeAfterInvalid: 0 }),
      seed: 1,
    })
    expect(s.accepted).toBeGreaterThan(2000)
    expect(s.wrongAccepted).toBe(0)
    // With both colluders, a task drawn onto both of them is accepted wrong: the documented limit.
    const both = simulate({
      providers: byzantine,
      tasks: 3000,
      policy: replicate(3, 2, { excludeAfterInvalid: 0 }),
      seed: 1,
    })
    expect(both.wrongAccepted).toBeGreaterThan(0)
  })

  it('adaptive + canaries catches and excludes the cheaters, then costs little', () => {
    const policy = combine(adaptive({ seed: 7 }), spot(0.02, { seed: 8 }))
    const s = simulate({ providers: byzantine, tasks: 20_000, policy, seed: 2 })
    for (const id of ['wrong', 'cheat', 'lazy', 'col1', 'col2']) expect(policy.isExcluded(id)).toBe(true)
    for (const p of honest(6)) expect(policy.isExcluded(p.id)).toBe(false)
    expect(s.caughtAt.cheat).toBeLessThanOrEqual(200)
    expect((s.late.executions - s.late.accepted) / s.late.accepted).toBeLessThan(0.1)
    expect(s.wrongAccepted / s.accepted).toBeLessThan(0.001)
  })

  it('adaptive checks newcomers fully and veterans rarely; state round-trips through JSON', () => {
    const p = adaptive({ seed: 3 })
    expect(p.checkProbability('x')).toBe(1)
    for (let i = 0; i < 10; i++) p.record({ provider: 'x', task: `t${i}`, verdict: 'valid' })
    for (let i = 0; i < 990; i++) p.record({ provider: 'x', task: `u${i}`, verdict: 'unchecked' })
    expect(p.checkProbability('x')).toBeCloseTo(0.015, 5)
    const copy = new AdaptivePolicy(JSON.parse(JSON.stringify(p.snapshot())))
    const plans = (q: AdaptivePolicy) =>
      Array.from({ length: 50 }, (_, i) => q.plan({ id: `v${i}` }, 'x').replicas)
    expect(plans(copy)).toEqual(plans(p))
    p.record({ provider: 'x', task: 'bad', verdict: 'invalid' })
    expect(p.isExcluded('x')).toBe(false) // one lost vote: colluders may have won it
    expect(p.checkProbability('x')).toBe(1) // ...but the record restarts: checked densely again
    p.record({ provider: 'x', task: 'bad2', verdict: 'invalid' })
    expect(p.isExcluded('x')).toBe(true)
    expect(() => p.plan({ id: 'next' }, 'x')).toThrow(
      expect.objectContaining({ name: 'ProviderExcludedError' }),
    )
  })

  it('adaptive starts a provider met in earlier jobs from its carried streak and record; a lost vote still resets it', () => {
    const prior = (p: string) => (p === 'veteran' ? { streak: 40, record: 300 } : undefined)
    const p = adaptive({ seed: 5, prior })
    expect(p.checkProbability('veteran')).toBeCloseTo(15 / 300, 9)
    expect(p.checkProbability('newcomer')).toBe(1)
    // the prior seeds the job's book once; this job's outcomes then move it as usual
    p.record({ provider: 'veteran', task: 't', verdict: 'unchecked' })
    expect(p.snapshot().providers.veteran).toMatchObject({ streak: 40, record: 301, valid: 0 })
    p.record({ provider: 'veteran', task: 'bad', verdict: 'invalid' })
    expect(p.checkProbability('veteran')).toBe(1)
    // a carried streak below trustAfter still means every task is checked
    const q = adaptive({ seed: 6, prior: () => ({ streak: 9, record: 500 }) })
    expect(q.checkProbability('any')).toBe(1)
    // what the requester keeps: the adaptive book, also inside a combined policy
    const both = combine(adaptive({ seed: 7, prior }), spot(0.02, { seed: 8 }))
    both.record({ provider: 'veteran', task: 'v', verdict: 'valid' })
    expect(adaptiveBook(both.snapshot())?.veteran).toMatchObject({ streak: 41, record: 301 })
    expect(adaptiveBook(replicate(3, 2).snapshot())).toBeUndefined()
  })

  it('a lost vote alone never excludes; a second one or a failed canary does (replicate and adaptive)', () => {
    for (const make of [() => replicate(3, 2), () => adaptive({ seed: 4 })]) {
      const p = make()
      p.record({ provider: 'h', task: 't1', verdict: 'invalid' })
      expect(p.isExcluded('h')).toBe(false)
      expect(p.plan({ id: 't2' }, 'h').replicas).toBeGreaterThan(1)
      p.record({ provider: 'h', task: 't2', verdict: 'invalid' })
      expect(p.isExcluded('h')).toBe(true)
      // a wrong known answer cannot be outvoted: out at once
      p.record({ provider: 'c', task: 'k1', verdict: 'invalid', canary: true })
      expect(p.isExcluded('c')).toBe(true)
      // excludeAfterInvalid 0 still means never
      const lenient = replicate(3, 2, { excludeAfterInvalid: 0 })
      lenient.record({ provider: 'c', task: 'k1', verdict: 'invalid', canary: true })
      expect(lenient.isExcluded('c')).toBe(false)
    }
  })

  it('spot sends canaries at its rate and only canary outcomes count', () => {
    const p = spot(0.25, { seed: 5 })
    const n = Array.from({ length: 4000 }, (_, i) => p.plan({ id: `${i}` }, 'a').canary).filter(
      Boolean,
    ).length
    expect(n / 4000).toBeGreaterThan(0.22)
    expect(n / 4000).toBeLessThan(0.28)
    p.record({ provider: 'a', task: 'x', verdict: 'invalid' })
    expect(p.isExcluded('a')).toBe(false)
    p.record({ provider: 'a', task: 'c', verdict: 'invalid', canary: true })
    expect(p.isExcluded('a')).toBe(true)
  })
})
