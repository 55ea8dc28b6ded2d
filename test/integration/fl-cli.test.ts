import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { afterAll, describe, expect, it } from 'vitest'
import { ownerArgs, splitHospitals } from '../helpers/fl-hospitals.js'

const ROOT = resolve(import.meta.dirname, '../..')
const EX = join(ROOT, 'examples/fl-hospitals')
const procs: ChildProcess[] = []

/** Runs `mutirao fl …` from source in its own node process (tsx as a loader, so SIGKILL hits the real process); JSON lines go to `onEvent`. */
function fl(args: string[], onEvent: (e: Record<string, unknown>) => void = () => {}) {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(EX, 'fl-cli.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MUTIRAO_LOG: 'warn' },
  })
  procs.push(proc)
  const stderr: string[] = []
  createInterface({ input: proc.stderr! }).on('line', (l) => stderr.push(l))
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    try {
      onEvent(JSON.parse(l))
    } catch {}
  })
  const exit = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)))
  return { proc, exit, stderr }
}

afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL')
})

describe('mutirao fl across processes', () => {
  it('owner + three hospital processes; one hospital is SIGKILLed mid-job; training completes; lineage verifies and detects tampering', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-fl-cli-'))
    await new Promise<void>((ok, fail) =>
      fl(['--help']).exit.then((c) => (c === 0 ? ok() : fail(new Error(`help exited ${c}`)))),
    )
    await splitHospitals()
    const job = {
      ...JSON.parse(await readFile(join(EX, 'job.json'), 'utf8')),
      id: 'cli-test',
      rounds: 12,
      roundDeadlineMs: 8000,
    }
    await writeFile(join(dir, 'job.json'), JSON.stringify(job))
    const events: Record<string, unknown>[] = []
    let addr: ((a: string) => void) | undefined
    const listening = new Promise<string>((r) => (addr = r))
    let killAfterRound: (() => void) | undefined
    const owner = fl(
      [...ownerArgs(join(dir, 'job.json')), '--data-dir', join(dir, 'owner'), '--json'],
      (e) => {
        events.push(e)
        if (e.event === 'listening') addr!((e.multiaddrs as string[])[0])
        if (e.event === 'round' && e.round === 4) killAfterRound?.()
      },
    )
    const coordinator = await listening
    const holders = ['a', 'b', 'c'].map((h) =>
      fl([
        'join',
        '--coordinator',
        coordinator,
        '--job',
        'cli-test',
        '--data',
        join(EX, `hospital-${h}.csv`),
        '--data-dir',
        join(dir, h),
        '--json',
      ]),
    )
    killAfterRound = () => holders[2].proc.kill('SIGKILL')
    expect(await owner.exit).toBe(0)
    expect(await holders[0].exit).toBe(0)
    const rounds = events.filter((e) => e.event === 'round') as {
      round: number
      participants: string[]
      testAccuracy: number
    }[]
    expect(rounds.map((r) => r.round)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
    expect(rounds.at(-1)!.participants).toHaveLength(2)
    expect(rounds.at(-1)!.testAccuracy).toBeGreaterThan(0.9)
    const done = events.find((e) => e.event === 'done') as { modelHash: string }
    const payouts = events.find((e) => e.event === 'payouts') as { payouts: Record<string, string> }
    expect(Object.values(payouts.payouts).reduce((a, b) => a + BigInt(b), 0n)).toBe(BigInt(job.dataBudget))

    const exported = join(dir, 'lineage.json')
    const ok = fl(['lineage', done.modelHash, '--data-dir', join(dir, 'owner'), '--export', exported])
    expect(await ok.exit).toBe(0)
    const lineage = JSON.parse(await readFile(exported, 'utf8'))
    lineage.rounds[2].participants[0].numSamples += 1
    await writeFile(join(dir, 'bad.json'), JSON.stringify(lineage))
    let report: Record<string, unknown> = {}
    const bad = fl(['lineage', done.modelHash, '--file', join(dir, 'bad.json'), '--json'])
    const out: string[] = []
    bad.proc.stdout!.on('data', (d) => out.push(String(d)))
    expect(await bad.exit).toBe(1)
    report = JSON.parse(out.join(''))
    expect(report.ok).toBe(false)
    expect(String((report.problems as string[])[0])).toMatch(/round 3/)
    await rm(dir, { recursive: true, force: true })
  }, 120_000)
})
