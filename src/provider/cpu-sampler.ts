import { readFileSync } from 'node:fs'
import os from 'node:os'

/** CPU use over the interval since the previous sample, each as a share of ALL cores, in [0, 1]. */
export interface CpuSample {
  /** Whole machine: everything that was not idle or waiting on I/O. */
  machine: number
  /** This process (with its worker threads) plus the extra own pids. */
  own: number
  /** `machine − own`: the load the owner and their other programs put on the machine. */
  foreign: number
  /** Length of the interval in milliseconds. */
  intervalMs: number
}

/** Something that yields {@link CpuSample}s; the idle monitor takes this so that tests can script it. */
export interface CpuSampler {
  /** Measures the interval since the previous call (or since creation) and starts the next one. */
  sample(): CpuSample
}

/** Options of {@link createCpuSampler}. */
export interface CpuSamplerOptions {
  /** Pids of child processes that belong to Mutirão (their CPU counts as own, not foreign). */
  ownPids?: () => number[]
  /** Root of the proc filesystem (default `/proc`); when `<procRoot>/stat` is unreadable, `os.cpus()` is used. */
  procRoot?: string
  /** This process's CPU counters (default `process.cpuUsage`); injectable for tests. */
  cpuUsage?: () => NodeJS.CpuUsage
  /** Monotonic clock in ms (default `performance.now`); injectable for tests. */
  now?: () => number
}

/** Kernel clock ticks per second in /proc (USER_HZ): 100 on every Linux architecture Node supports. */
const USER_HZ = 100

interface MachineTimes {
  busy: number
  total: number
  cores: number
}

/**
 * Parses `/proc/stat`: the aggregate `cpu` line (user nice system idle iowait irq softirq steal; guest time is
 * already inside user) and the count of `cpuN` lines. Busy excludes idle and iowait.
 */
export function parseProcStat(text: string): MachineTimes | null {
  const line = /^cpu\s+(.+)$/m.exec(text)
  if (!line) return null
  const f = line[1].trim().split(/\s+/).slice(0, 8).map(Number)
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null
  const total = f.reduce((a, b) => a + b, 0)
  const idle = f[3] + (f[4] ?? 0)
  const cores = (text.match(/^cpu\d+\s/gm) ?? []).length || 1
  return { busy: total - idle, total, cores }
}

/** Parses `/proc/<pid>/stat` into utime + stime in clock ticks (fields 14 and 15, counted after the `)`). */
export function parseProcPidStat(text: string): number | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const fields = text.slice(close + 2).split(' ')
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : null
}

function machineTimesFromOs(): MachineTimes {
  let busy = 0
  let total = 0
  const cpus = os.cpus()
  for (const { times } of cpus) {
    busy += times.user + times.nice + times.sys + times.irq
    total += times.user + times.nice + times.sys + times.irq + times.idle
  }
  return { busy, total, cores: Math.max(1, cpus.length) }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0)

/**
 * A sampler of the machine's CPU busy share (`/proc/stat`, else `os.cpus()` times) and of Mutirão's own share
 * (`process.cpuUsage()`, which includes worker threads, plus `utime+stime` of each pid in `ownPids`). A pid
 * seen for the first time counts only the CPU it used since the previous sample; the CPU a child uses in
 * the interval in which it exits is missed (it shows as foreign for that one interval).
 *
 * @example
 * const sampler = createCpuSampler()
 * await sleep(1000)
 * sampler.sample() // { machine: 0.31, own: 0.02, foreign: 0.29, intervalMs: 1000 }
 */
export function createCpuSampler(options: CpuSamplerOptions = {}): CpuSampler {
  const procRoot = options.procRoot ?? '/proc'
  const cpuUsage = options.cpuUsage ?? (() => process.cpuUsage())
  const now = options.now ?? (() => performance.now())
  const readMachine = (): MachineTimes => {
    const text = readText(`${procRoot}/stat`)
    return (text && parseProcStat(text)) || machineTimesFromOs()
  }
  const readPidTicks = (pid: number): number | null => {
    if (!Number.isInteger(pid) || pid <= 0) return null
    const text = readText(`${procRoot}/${pid}/stat`)
    return text ? parseProcPidStat(text) : null
  }
  const readUptime = (): number | null => {
    const text = readText(`${procRoot}/uptime`)
    const seconds = text ? Number.parseFloat(text) : Number.NaN
    return Number.isFinite(seconds) ? seconds : null
  }
  const readStartTicks = (pid: number): number | null => {
    const text = readText(`${procRoot}/${pid}/stat`)
    const close = text?.lastIndexOf(')') ?? -1
    if (!text || close < 0) return null
    const start = Number(text.slice(close + 2).split(' ')[19]) // field 22: starttime, ticks since boot
    return Number.isFinite(start) ? start : null
  }

  let prevMachine = readMachine()
  let prevCpu = cpuUsage()
  let prevWall = now()
  let prevUptime = readUptime()
  let prevPids = new Map<number, number>()
  for (const pid of options.ownPids?.() ?? []) {
    const ticks = readPidTicks(pid)
    if (ticks !== null) prevPids.set(pid, ticks)
  }

  return {
    sample(): CpuSample {
      const machine = readMachine()
      const wall = now()
      const cpu = cpuUsage()
      const uptime = readUptime()
      const intervalMs = wall - prevWall

      const dTotal = machine.total - prevMachine.total
      const machineShare = dTotal > 0 ? clamp01((machine.busy - prevMachine.busy) / dTotal) : 0

      let ownSeconds = (cpu.user - prevCpu.user + cpu.system - prevCpu.system) / 1e6
      const pids = new Map<number, number>()
      for (const pid of new Set(options.ownPids?.() ?? [])) {
        const ticks = readPidTicks(pid)
        if (ticks === null) continue
        pids.set(pid, ticks)
        const before = prevPids.get(pid)
        if (before !== undefined) ownSeconds += Math.max(0, ticks - before) / USER_HZ
        else {
          // New to us: count all of its CPU only if it started after the previous sample.
          const start = readStartTicks(pid)
          if (start !== null && prevUptime !== null && start / USER_HZ >= prevUptime)
            ownSeconds += ticks / USER_HZ
        }
      }
      const ownShare = intervalMs > 0 ? clamp01(ownSeconds / ((intervalMs / 1000) * machine.cores)) : 0

      prevMachine = machine
      prevCpu = cpu
      prevWall = wall
      prevUptime = uptime
      prevPids = pids
      const own = Math.min(ownShare, machineShare)
      return { machine: machineShare, own, foreign: clamp01(machineShare - own), intervalMs }
    },
  }
}
