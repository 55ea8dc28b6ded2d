import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { type AuditTarget, meetsExpectation, parseAuditReport } from '../../../examples/audit-bot/report.js'
import { createWasmExecutor } from './executor.js'

const dir = new URL('../../../examples/audit-bot/', import.meta.url)
const module = new Uint8Array(readFileSync(new URL('audit.wasm', dir)))
const targets = JSON.parse(readFileSync(new URL('contracts.json', dir), 'utf8')) as AuditTarget[]
const limits = { memoryBytes: 64 * 1024 * 1024, timeMs: 20_000, outputBytes: 64 * 1024 }

describe('audit bot (examples/audit-bot) in the WASM sandbox', () => {
  const executor = createWasmExecutor()
  afterAll(() => executor.stop())
  const audit = async (t: AuditTarget) => {
    const r = await executor.run({
      module,
      args: [t.name],
      stdin: new TextEncoder().encode(t.runtime),
      limits,
    })
    expect(r.exitCode, new TextDecoder().decode(r.stderr)).toBe(0)
    return { stdout: r.stdout, report: parseAuditReport(new TextDecoder().decode(r.stdout)) }
  }

  it.each(targets.filter((t) => t.group === 'planted'))(
    'flags the planted $expect in $name, and nothing else',
    async (t) => {
      const { report } = await audit(t)
      expect(report.findings.map((f) => f.kind)).toEqual(t.expect)
      expect(report.unresolvedJumps).toBe(0)
    },
  )

  it('finds nothing in the clean control, which makes a checked external call after its state change', async () => {
    const { report } = await audit(targets.find((t) => t.group === 'control')!)
    expect(report.findings).toEqual([])
    expect(report.explored).toBeGreaterThan(report.instructions / 2)
  })

  it('reads every contract (OpenZeppelin, Mutirão) and gives the same bytes twice', async () => {
    for (const t of targets) {
      const [a, b] = [await audit(t), await audit(t)]
      expect(Buffer.from(a.stdout).equals(Buffer.from(b.stdout))).toBe(true)
      expect(a.report.contract).toBe(t.name)
      expect(meetsExpectation(t, a.report)).not.toBe(false)
    }
    // a proxy delegates to the implementation read from storage, not to an address the caller chooses
    const proxy = await audit(targets.find((t) => t.name === 'ERC1967Proxy')!)
    expect(proxy.report.findings.map((f) => f.kind)).not.toContain('delegatecall-caller-address')
  })

  it('refuses input that is not hex bytecode', async () => {
    const r = await executor.run({ module, args: ['x'], stdin: new TextEncoder().encode('not hex'), limits })
    expect(r.exitCode).toBe(2)
    expect(new TextDecoder().decode(r.stderr)).toMatch(/runtime bytecode as hex/)
  })
})
