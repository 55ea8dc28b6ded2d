import { describe, expect, it } from 'vitest'
import { executionLines, oracleLines, providerLines } from './status.js'

describe('oracleLines', () => {
  it('says nothing for a node that does not serve the oracle', () => {
    expect(oracleLines(null)).toEqual([])
  })
  it('counts the requests and says what happened to each, in MUT', () => {
    const lines = oracleLines({
      address: '0xabc',
      requests: [
        { id: '3', modelHash: 'ab', status: 'answered', values: ['1', '250000'] },
        { id: '2', modelHash: 'ab', status: 'paid', earned: '1000000000000000000', disputes: ['7'] },
        { id: '1', modelHash: 'ab', status: 'skipped', reason: 'deadline passed' },
      ],
    })
    expect(lines).toEqual([
      'oracle        serving 0xabc: 1 paid, 1 awaiting quorum, 0 outvoted, 1 skipped, 0 not taken',
      '  request 3  answered [1, 250000], waiting for the quorum',
      '  request 2  paid 1 MUT, accused the minority (dispute 7)',
      '  request 1  skipped: deadline passed',
    ])
  })
})

describe('providerLines', () => {
  const base = {
    accepting: true,
    pricePerUnit: '1000000000000',
    tasks: { running: 1, completed: 5, failed: 0, refused: 2 },
  }
  it('says whether streaming sessions are served, and what they did', () => {
    expect(providerLines(base).at(-1)).toMatch(/streams +not served \(--serve-streams/)
    expect(providerLines({ ...base, streams: { open: 2, samples: 10_000, refused: 1 } }).at(-1)).toBe(
      '  streams     2 sessions open, 10000 samples answered, 1 refused (paid at the ask)',
    )
  })
  it('names whom it computes for on open streams, and how others rate it', () => {
    const w = {
      agreementId: 'a',
      jobId: 'job-1',
      requester: '12D3KooWreq',
      kind: 'onnx-inference',
      modelHash: 'ab',
      pricePerUnit: '1000000000000',
      since: 0,
      lastAt: 0,
      running: 1,
      completed: 4,
      failed: 0,
      units: 120,
      earned: '120000000000000',
    }
    const lines = providerLines({ ...base, work: [w, { ...w, agreementId: 'b', closedAt: 1 }] })
    expect(lines.filter((l) => l.includes('computing'))).toEqual([
      '  computing   for 12D3KooWreq (job-1): 1 running, 4 done, 120 units = 0.00012 MUT',
    ])
    expect(lines).toContain(
      '  reputation  no staked requester has attested about this machine yet (requesters publish what they verified after each job)',
    )
  })
})

describe('executionLines', () => {
  it('names the provider models run on, the probe, and every CPU fallback with its reason', () => {
    expect(
      executionLines({
        preferred: 'webgpu',
        active: 'webgpu',
        probe: { ok: true, runMs: 19.76, cpuRunMs: 0.213, maxAbsDiff: 1.76e-7 },
        fallbacks: [{ model: 'ab'.repeat(32), fallback: 'webgpu cannot run this model (float64)' }],
      }),
    ).toEqual([
      '  execution   webgpu (probe: 19.8 ms vs 0.213 ms on the CPU, outputs within 1.8e-7)',
      '  fallback    model abababababab… runs on the CPU: webgpu cannot run this model (float64)',
    ])
    expect(
      executionLines({
        preferred: 'webgpu',
        active: 'cpu',
        probe: { ok: false, error: 'No supported adapters' },
        providers: [
          { name: 'cpu', available: true, adapter: 'Xeon × 2', score: 437000 },
          { name: 'webgpu', available: false, error: 'No supported adapters' },
        ],
      }),
    ).toEqual([
      '  execution   cpu — webgpu unavailable: No supported adapters',
      '  probed      cpu: 437000 rows/s on Xeon × 2',
      '  probed      webgpu: unavailable — No supported adapters',
    ])
    expect(executionLines(undefined)).toEqual([])
  })
})
