import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const SCRIPT = resolve(import.meta.dirname, '../../examples/audit-bot/run.ts')

interface Summary {
  providers: number
  verification: { policy: string; checkedShards: number; uncheckedShards: number; outvoted: number }
  plantedFlagged: number
  planted: number
  controlClean: boolean
  contracts: { name: string; group: string; ok?: boolean; findings: { kind: string }[] }[]
}

describe('audit bot as a wasm job on local providers (examples/audit-bot)', () => {
  it('flags every planted vulnerability and nothing in the control; every run agreed byte for byte on two providers', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SCRIPT, '--json'], {
      maxBuffer: 16 << 20,
      timeout: 150_000,
    })
    const s = JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary
    expect(s.planted).toBe(5)
    expect(s.plantedFlagged).toBe(5)
    expect(s.controlClean).toBe(true)
    for (const c of s.contracts.filter((c) => c.group === 'planted' || c.group === 'control'))
      expect(c.ok, c.name).toBe(true)
    // OpenZeppelin's and Mutirão's own contracts were read too
    expect(s.contracts.filter((c) => c.group === 'openzeppelin')).toHaveLength(3)
    expect(s.contracts.filter((c) => c.group === 'mutirao').length).toBeGreaterThanOrEqual(6)
    // replicate(2, 2): every shard accepted only with identical output bytes from two distinct providers
    expect(s.verification.policy).toBe('replicate')
    expect(s.verification.checkedShards).toBe(Math.ceil(s.contracts.length / 2))
    expect(s.verification.uncheckedShards).toBe(0)
    expect(s.verification.outvoted).toBe(0)
    expect(s.providers).toBeGreaterThanOrEqual(2)
  }, 180_000)
})
