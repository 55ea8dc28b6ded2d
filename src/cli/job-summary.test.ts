import { describe, expect, it } from 'vitest'
import type { JobProgress } from '../requester/job-spec.js'
import { formatJobSummary, jobsTable } from './job-summary.js'

const cheater = '12D3KooWBnxhbjswXznRz9vUkq3CuK8L3DdhP6SAg5CEhfiqMniK'
const base: JobProgress = {
  jobId: 'job-1',
  status: 'done',
  samplesTotal: 4,
  samplesDone: 4,
  shardsTotal: 2,
  shardsDone: 2,
  unitsDone: 8,
  costPerSample: 1,
  providers: [],
  createdAt: 0,
  finishedAt: 1000,
  version: 1,
}

describe('formatJobSummary', () => {
  it('lists the disputes filed for outvoted results, with their on-chain ids and reasons', () => {
    const text = formatJobSummary({
      ...base,
      verification: {
        policy: 'replicate',
        replicaTasks: 2,
        canaryTasks: 0,
        invalid: 2,
        excluded: [cheater],
        disputes: [
          {
            shard: 0,
            accused: cheater,
            accusedEth: '0x1',
            verifiers: ['0x2', '0x3'],
            status: 'filed',
            disputeId: '7',
          },
          {
            shard: 1,
            accused: cheater,
            accusedEth: '0x1',
            verifiers: [],
            status: 'skipped',
            reason: 'no stake',
          },
        ],
      },
    })
    expect(text).toContain('disputes   1 filed, 1 skipped, 0 failed')
    expect(text).toMatch(/12D3KooW…iqMniK +shard 0 filed \(dispute #7\)/)
    expect(text).toMatch(/shard 1 skipped — no stake/)
  })

  it('says nothing about disputes when there were none', () => {
    expect(formatJobSummary(base)).not.toContain('disputes')
  })
})

describe('formatJobSummary: how results were verified', () => {
  it('says how each shard was accepted, unchecked ones loudly, and prints the notices', () => {
    const text = formatJobSummary({
      ...base,
      verification: {
        policy: 'adaptive',
        replicaTasks: 3,
        canaryTasks: 0,
        invalid: 0,
        excluded: [],
        shards: { checked: 1, single: 0, unchecked: 1, local: 0 },
      },
      notices: [
        { at: 5, code: 'unchecked', message: 'accepted unchecked (fallback: unchecked): no second provider' },
      ],
    })
    expect(text).toContain(
      'verified   policy adaptive; shards: 1 cross-checked by ≥ 2 providers, 1 UNCHECKED (no second provider; fallback: unchecked); 3 check tasks, 0 canaries',
    )
    expect(text).toContain(
      'notice     unchecked: accepted unchecked (fallback: unchecked): no second provider',
    )
  })

  it('explains units beyond a provider’s kept shards (replicas it ran to check others)', () => {
    const text = formatJobSummary({
      ...base,
      providers: [{ provider: cheater, shards: 0, samples: 0, units: 1138 }],
    })
    expect(text).toMatch(/units: all its paid work, checks of others included/)
  })
})

describe('formatJobSummary: money', () => {
  it('shows price, cost, escrow locked and refundable in MUT', () => {
    const text = formatJobSummary({
      ...base,
      escrow: {
        escrowJob: '7',
        pricePerUnit: '2000000000000000',
        budget: '48000000000000000',
        cost: '16000000000000000',
        refundable: '32000000000000000',
        reclaimed: null,
        refunded: null,
        settlement: null,
      },
    })
    expect(text).toContain('price      2 MUT per 1,000 units')
    expect(text).toContain('cost       0.016 MUT for the accepted work')
    expect(text).toContain(
      'escrow     0.048 MUT locked in escrow job #7; 0.032 MUT refundable after the redeem window',
    )
  })
})

describe('jobsTable', () => {
  it('one line a job: cost in MUT, how shards were verified, the error or latest notice', () => {
    const text = jobsTable([
      {
        ...base,
        status: 'failed',
        error: 'no provider offered: 2 provider(s) declined: price ×2 (lowest ask 0.001 MUT per 1,000 units)',
      },
      {
        ...base,
        jobId: 'job-2',
        verification: {
          policy: 'adaptive',
          replicaTasks: 0,
          canaryTasks: 0,
          invalid: 0,
          excluded: [],
          shards: { checked: 1, single: 0, unchecked: 1, local: 0 },
        },
        escrow: {
          escrowJob: '3',
          pricePerUnit: '1000000000000',
          cost: '8000000000000',
          budget: null,
          refundable: null,
          refunded: null,
          reclaimed: null,
          settlement: null,
        },
      },
    ])
    const [head, failed, done] = text.split('\n')
    expect(head).toMatch(/^JOB\s+STATUS\s+SAMPLES\s+PROV\s+COST \(MUT\)\s+VERIFIED\s+CREATED\s+NOTE$/)
    expect(failed).toMatch(
      /^job-1\s+failed\s+4\/4\s+0\s+-\s+-\s+1970-01-01 00:00:00\s+no provider offered: 2 provider\(s\) declined: price ×2 \(lowe…$/,
    )
    expect(done).toMatch(/^job-2\s+done\s+4\/4\s+0\s+0\.000008\s+1✓ 1\?/)
  })
})
