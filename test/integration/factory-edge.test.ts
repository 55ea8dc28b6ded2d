import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const SCRIPT = resolve(import.meta.dirname, '../../examples/factory-edge/run.ts')

describe('factory edge example (examples/factory-edge)', () => {
  it('four factories co-train a detector with secure aggregation; streamed at the edge it scores AUC ≥ 0.95 beside the central baseline', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', SCRIPT, '--json', '--stream', '500'],
      {
        maxBuffer: 16 << 20,
        timeout: 150_000,
      },
    )
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      auc: number
      baselineAuc: number
      baseline: string
      p99Ms: number
      anomalyRate: number
      factories: { rows: number; anomalies: number; alerts: number; caught: number }[]
    }
    expect(r.auc).toBeGreaterThanOrEqual(0.95)
    expect(r.baselineAuc).toBeGreaterThanOrEqual(0.95)
    // federated training on non-IID slices stays close to the pooled model (measured gap ~0.005)
    expect(Math.abs(r.auc - r.baselineAuc)).toBeLessThan(0.03)
    expect(r.baseline).toMatch(/centrally/)
    expect(r.p99Ms).toBeGreaterThan(0)
    expect(r.factories).toHaveLength(4)
    for (const f of r.factories) {
      expect(f.rows).toBe(500)
      expect(f.caught).toBeLessThanOrEqual(f.alerts)
      expect(f.caught).toBeGreaterThan(f.anomalies * 0.8) // most anomalies raise an alert
    }
    expect(r.anomalyRate).toBeGreaterThan(0.15)
    expect(r.anomalyRate).toBeLessThan(0.3)
  }, 180_000)
})
