import { readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startCpuLoad, stopAllCpuLoads } from '../../test/helpers/cpu-load.js'
import { createCpuSampler, parseProcPidStat, parseProcStat } from './cpu-sampler.js'

/** A /proc/<pid>/stat line with the given utime, stime and starttime (ticks). */
function pidStat(pid: number, comm: string, utime: number, stime: number, start: number): string {
  const rest = [
    'S',
    1,
    pid,
    pid,
    0,
    -1,
    4194560,
    100,
    0,
    0,
    0,
    utime,
    stime,
    0,
    0,
    20,
    0,
    1,
    0,
    start,
    1e6,
    100,
  ]
  return `${pid} (${comm}) ${rest.join(' ')}\n`
}

/** /proc/stat with aggregate busy/idle ticks over two cores. */
function procStat(user: number, system: number, idle: number, iowait = 0): string {
  return `cpu  ${user} 0 ${system} ${idle} ${iowait} 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\nintr 1\n`
}

describe('parsers', () => {
  it('parses /proc/stat: busy excludes idle and iowait, cores from cpuN lines', () => {
    const real =
      'cpu  12326 0 2470 45868 166 0 48 8 0 0\ncpu0 2493 0 1120 26742 57 0 11 2 0 0\ncpu1 9833 0 1350 19126 109 0 37 5 0 0\nctxt 99\n'
    expect(parseProcStat(real)).toEqual({
      busy: 12326 + 2470 + 48 + 8,
      total: 12326 + 2470 + 45868 + 166 + 48 + 8,
      cores: 2,
    })
    expect(parseProcStat('garbage')).toBeNull()
  })

  it('parses /proc/<pid>/stat even when the command name has spaces and parentheses', () => {
    expect(parseProcPidStat(pidStat(77, 'a) (b', 123, 45, 9))).toBe(168)
    expect(parseProcPidStat('no parens here')).toBeNull()
  })
})

describe('createCpuSampler with a scripted /proc', () => {
  let root: string
  beforeEach(async () => {
    root = await mkdtemp(join(os.tmpdir(), 'mutirao-proc-'))
  })
  afterEach(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('computes machine, own (process + own pids) and foreign shares of all cores', async () => {
    await writeFile(join(root, 'stat'), procStat(1000, 500, 8000))
    await writeFile(join(root, 'uptime'), '1000.00 1900.00\n')
    await mkdir(join(root, '4242'))
    await writeFile(join(root, '4242', 'stat'), pidStat(4242, 'worker', 40, 10, 1000))
    let usage = { user: 5_000_000, system: 1_000_000 }
    let clock = 0
    let pids = [4242]
    const sampler = createCpuSampler({
      procRoot: root,
      ownPids: () => pids,
      cpuUsage: () => usage,
      now: () => clock,
    })

    // 1 s on 2 cores at 100 Hz = 200 ticks, 150 of them busy.
    await writeFile(join(root, 'stat'), procStat(1100, 550, 8050))
    await writeFile(join(root, 'uptime'), '1001.00 1901.00\n')
    await writeFile(join(root, '4242', 'stat'), pidStat(4242, 'worker', 60, 20, 1000)) // +30 ticks = 0.3 s
    usage = { user: 5_150_000, system: 1_050_000 } // +0.2 s
    clock = 1000
    const s1 = sampler.sample()
    expect(s1.intervalMs).toBe(1000)
    expect(s1.machine).toBeCloseTo(0.75)
    expect(s1.own).toBeCloseTo((0.2 + 0.3) / 2)
    expect(s1.foreign).toBeCloseTo(0.5)

    // A pid started after the previous sample counts whole; one that ran before counts only from now on.
    await mkdir(join(root, '5000'))
    await writeFile(join(root, '5000', 'stat'), pidStat(5000, 'fresh', 20, 0, 100_150)) // started at 1001.5 s
    await mkdir(join(root, '6000'))
    await writeFile(join(root, '6000', 'stat'), pidStat(6000, 'old', 5000, 0, 10)) // started at 0.1 s
    pids = [4242, 5000, 6000]
    await writeFile(join(root, 'stat'), procStat(1200, 600, 8100))
    await writeFile(join(root, 'uptime'), '1002.00 1902.00\n')
    clock = 2000
    const s2 = sampler.sample()
    expect(s2.machine).toBeCloseTo(0.75)
    expect(s2.own).toBeCloseTo(0.2 / 2) // only 5000's 20 ticks
    expect(s2.foreign).toBeCloseTo(0.65)

    await writeFile(join(root, '6000', 'stat'), pidStat(6000, 'old', 5100, 0, 10)) // +1 s
    await writeFile(join(root, 'stat'), procStat(1300, 650, 8150))
    clock = 3000
    const s3 = sampler.sample()
    expect(s3.own).toBeCloseTo(0.5)
    expect(s3.foreign).toBeCloseTo(0.25)
  })

  it('never reports own above machine, nor shares outside [0, 1]', async () => {
    await writeFile(join(root, 'stat'), procStat(1000, 0, 1000))
    let usage = { user: 0, system: 0 }
    let clock = 0
    const sampler = createCpuSampler({ procRoot: root, cpuUsage: () => usage, now: () => clock })
    await writeFile(join(root, 'stat'), procStat(1020, 0, 1180)) // 10% busy
    usage = { user: 5_000_000, system: 0 } // claims 5 s in 1 s
    clock = 1000
    const s = sampler.sample()
    expect(s).toMatchObject({ machine: 0.1, own: 0.1, foreign: 0 })
  })

  it('falls back to os.cpus() when /proc/stat is unreadable', () => {
    const sampler = createCpuSampler({ procRoot: join(root, 'absent') })
    const end = Date.now() + 50
    while (Date.now() < end) {}
    const s = sampler.sample()
    for (const v of [s.machine, s.own, s.foreign]) {
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThanOrEqual(1)
    }
    expect(s.own).toBeLessThanOrEqual(s.machine)
  })
})

describe('createCpuSampler on this machine', () => {
  afterEach(stopAllCpuLoads)

  it('counts a burning child as own only when its pid is listed', async () => {
    const load = await startCpuLoad({ processes: 1, lifetimeMs: 10_000 })
    const pid = load.pids[0]
    const ticks = () => parseProcPidStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))!
    const cores = parseProcStat(readFileSync('/proc/stat', 'utf8'))!.cores
    const withPid = createCpuSampler({ ownPids: () => load.pids })
    const without = createCpuSampler()
    const ticks0 = ticks()
    const t0 = performance.now()
    await new Promise((r) => setTimeout(r, 1000))
    const a = withPid.sample()
    const b = without.sample()
    // What the child really used, from the kernel, as a share of all cores (less than 1/cores when other
    // programs compete for the CPU).
    const childShare = (ticks() - ticks0) / 100 / (((performance.now() - t0) / 1000) * cores)
    expect(childShare).toBeGreaterThan(0.05)
    expect(a.own - b.own).toBeGreaterThan(childShare - 0.05)
    expect(a.own - b.own).toBeLessThan(childShare + 0.05)
    expect(b.foreign).toBeGreaterThan(childShare - 0.05)
  })
})
