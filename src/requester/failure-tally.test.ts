import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FailureTally, jobFaultMessage } from './failure-tally.js'

describe('FailureTally', () => {
  it('blames the job once two providers fail a shard with the same deterministic code', () => {
    const t = new FailureTally()
    expect(t.report(0, 'A', 'model-failed', 'Gather: index out of range', 3)).toEqual({ kind: 'suspect-job' })
    const v = t.report(0, 'B', 'model-failed', 'Gather: index out of range', 3)
    expect(v).toMatchObject({ kind: 'job-fault', code: 'model-failed', providers: ['A', 'B'] })
    if (v.kind !== 'job-fault') throw new Error('unreachable')
    expect(jobFaultMessage(v, 0)).toBe(
      'task of shard 0 failed the same way on 2 provider(s) (model-failed: the model failed in the runtime): Gather: index out of range',
    )
  })

  it('one provider alone cannot fail a job, unless it is the only one left', () => {
    const t = new FailureTally()
    expect(t.report(3, 'A', 'sandbox-limit', 'timeout', 2).kind).toBe('suspect-job')
    expect(t.report(3, 'A', 'sandbox-limit', 'timeout', 2).kind).toBe('suspect-job')
    expect(t.report(4, 'A', 'invalid-input', 'bad', 1).kind).toBe('job-fault')
  })

  it('different codes or different shards do not add up', () => {
    const t = new FailureTally()
    expect(t.report(0, 'A', 'model-failed', 'x', 3).kind).toBe('suspect-job')
    expect(t.report(0, 'B', 'sandbox-limit', 'y', 3).kind).toBe('suspect-job')
    expect(t.report(1, 'C', 'model-failed', 'x', 3).kind).toBe('suspect-job')
  })

  it('provider failures and busy refusals are not the job’s fault', () => {
    const t = new FailureTally()
    expect(t.report(0, 'A', 'failed', 'worker crashed', 3)).toEqual({ kind: 'provider-fault' })
    expect(t.report(0, 'A', 'deadline', 'late', 3)).toEqual({ kind: 'provider-fault' })
    expect(t.report(0, 'A', 'unknown-agreement', '?', 3)).toEqual({ kind: 'provider-fault' })
    expect(t.report(0, 'A', 'busy', 'owner at work', 3)).toEqual({ kind: 'no-fault' })
  })

  it('a provider that claimed a shard cannot be done is charged once another completes it', () => {
    const t = new FailureTally()
    t.report(7, 'lazy', 'model-failed', 'claimed', 3)
    expect(t.completed(7)).toEqual(['lazy'])
    expect(t.completed(7)).toEqual([])
  })

  it('property: a job fault always names at least min(2, live) distinct reporters of one code', () => {
    const code = fc.constantFrom('invalid-input', 'model-failed', 'sandbox-limit', 'failed', 'busy' as const)
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.nat(3), fc.constantFrom('A', 'B', 'C', 'D'), code, fc.integer({ min: 0, max: 4 })),
        ),
        (reports) => {
          const t = new FailureTally()
          for (const [idx, p, c, live] of reports) {
            const v = t.report(idx, p, c, 'm', live)
            if (v.kind === 'job-fault') {
              expect(new Set(v.providers).size).toBe(v.providers.length)
              expect(v.providers.length).toBeGreaterThanOrEqual(Math.min(2, Math.max(1, live)))
              expect(v.providers).toContain(p)
            }
          }
        },
      ),
    )
  })
})
