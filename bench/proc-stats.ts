// What a benchmark reads of a process from /proc (Linux): CPU time and resident memory.
import { readFile } from 'node:fs/promises'
import { parseProcPidStat } from '../src/provider/cpu-sampler.js'

/** CPU time of a process so far in ms (utime + stime, all threads; 100 clock ticks a second). */
export const cpuMs = async (pid: number): Promise<number> =>
  (parseProcPidStat(await readFile(`/proc/${pid}/stat`, 'utf8')) ?? Number.NaN) * 10

/** Resident memory of a process in MB (VmRSS). */
export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024
}
