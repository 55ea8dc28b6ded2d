import { describe, expect, it } from 'vitest'
import { explainJob } from './job-explain.js'
import type { JobProgress } from './job-spec.js'

const base: JobProgress = {
  jobId: 'job-1',
  status: 'done',
  samplesTotal: 100,
  samplesDone: 100,
  shardsTotal: 4,
  shardsDone: 4,
  unitsDone: 200,
  costPerSample: 2,
  providers: [],
  createdAt: 1_000,
  finishedAt: 3_500,
  version: 9,
}

describe('explainJob', () => {
  it('tells the outcome, who computed what where, how it was verified, what it cost and what came back', () => {
    const e = explainJob(
      {
        ...base,
        providers: [
          {
            provider: '12D3KooWgpuprovider00001',
            shards: 3,
            samples: 75,
            units: 150,
            executionProviders: ['cpu'],
            epFallback: 'webgpu cannot run this model: float64',
          },
          {
            provider: '12D3KooWcpuprovider00002',
            shards: 1,
            samples: 25,
            units: 50,
            executionProviders: ['cpu'],
          },
        ],
        verification: {
          policy: 'adaptive',
          replicaTasks: 2,
          canaryTasks: 1,
          invalid: 1,
          excluded: ['12D3KooWcheater000000003'],
          shards: { checked: 2, single: 2, unchecked: 0, local: 0 } as never,
        },
        notices: [{ at: 2_000, code: 'relayed', message: 'provider X reached only through a relay' }],
      },
      {
        escrowJob: '1',
        budget: null,
        pricePerUnit: '1000000000000',
        cost: '200000000000000',
        refundable: '0',
        refunded: '200000000000000',
        reclaimed: null,
        settlement: { status: 'settled', txHash: '0xabc', refund: '0', paid: '0', at: 1 },
      },
    )
    const codes = e.reasons.map((r) => r.code)
    expect(codes).toEqual([
      'outcome',
      'relayed',
      'provider',
      'fallback',
      'provider',
      'verification',
      'outvoted',
      'excluded',
      'paid',
      'refund',
    ])
    const text = e.reasons.map((r) => r.message).join('\n')
    expect(text).toContain('done in 2.5 s: 100/100 samples in 4/4 shards')
    expect(text).toContain('computed 75 samples in 3 shards on cpu (150 units)')
    expect(text).toContain('ran on its CPU: webgpu cannot run this model: float64')
    expect(text).toContain('2 shards checked by a second provider')
    expect(text).toContain('1 results lost a vote')
    expect(text).toContain('0.0002 MUT for accepted work at 0.001 MUT per 1,000 units')
    expect(text).toContain('0.0002 MUT came back when the escrow closed')
  })

  it("adds the user's currency to the money when given a rate", () => {
    const e = explainJob(
      { ...base, status: 'done' },
      {
        escrowJob: '1',
        budget: null,
        pricePerUnit: '1000000000000',
        cost: '2000000000000000000',
        refundable: null,
        refunded: '1000000000000000000',
        reclaimed: null,
        settlement: { status: 'settled', txHash: '0xabc', refund: '0', paid: '0', at: 1 },
      },
      { currency: 'EUR', perMut: 0.5 },
    )
    expect(e.reasons.find((r) => r.code === 'paid')?.message).toMatch(/^2 MUT \(≈ 1 EUR\) for accepted work/)
    expect(e.reasons.find((r) => r.code === 'refund')?.message).toBe(
      '1 MUT (≈ 0.5 EUR) came back when the escrow closed',
    )
  })

  it('names why a job failed and an escrow left open with what is refundable', () => {
    const e = explainJob(
      {
        ...base,
        status: 'failed',
        error: 'every ask is above the max price',
        notices: [
          { at: 1, code: 'no-offers', message: 'every provider declined: price (lowest ask 0.005 MUT)' },
        ],
      },
      {
        escrowJob: '1',
        budget: null,
        pricePerUnit: '1',
        cost: '0',
        refundable: '5000',
        refunded: null,
        reclaimed: null,
        settlement: { status: 'open', reason: 'provider 0x1: unreachable', at: 1 },
      },
    )
    expect(e.reasons[0]).toEqual({
      code: 'outcome',
      message: 'failed in 2.5 s: every ask is above the max price',
    })
    expect(e.reasons.map((r) => r.code)).toEqual(['outcome', 'no-offers', 'paid', 'refund', 'escrow-open'])
    expect(e.reasons.at(-2)?.message).toMatch(/refundable \(`mutirao ledger reclaim job-1`/)
  })
})
