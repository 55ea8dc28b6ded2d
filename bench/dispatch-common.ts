// Helpers of bench:dispatch (bench/dispatch.ts): profiling flag, stage output, CPU time per process, jobs.
import { rm, writeFile } from 'node:fs/promises'
import type { TensorMap } from '../src/exec/tensor.js'
import { tensorFromValues } from '../src/exec/tensor-values.js'
import type { MutiraoClient } from '../src/sdk/client.js'
import type { TestNetwork } from '../test/helpers/network.js'
import { cpuMs } from './proc-stats.js'

const PROF_FLAG = process.env.PROF_FLAG

/** Start the preload's profiles in every process (bench/profile-preload.cjs), if PROF_FLAG is set. */
export async function startProfiles() {
  if (!PROF_FLAG) return
  await writeFile(PROF_FLAG, '')
  await new Promise((r) => setTimeout(r, 300)) // the preload looks for the file every 100 ms
}
/** Stop them: each process writes its profiles. */
export const stopProfiles = () => (PROF_FLAG ? rm(PROF_FLAG, { force: true }) : Promise.resolve())

export const stage = (what: string) => process.stderr.write(`[bench] ${what}\n`)
export const ms = (x: number) => `${x.toFixed(3)} ms`
export const rows = (n: number, width: number) =>
  tensorFromValues(
    'float32',
    [n, width],
    Array.from({ length: n * width }, (_, i) => Math.sin(i * 0.37) * 2),
  )

/** Verification policy of the raw dispatch measurements: every shard runs once (no replicas, no canaries). */
export type Policy = 'none' | 'adaptive'

/** Submit a job through the requester process and wait for it; returns the final progress. */
export async function runJob(
  client: MutiraoClient,
  model: Uint8Array,
  inputs: TensorMap,
  shardSize: number,
  policy: Policy = 'none',
) {
  const t0 = Date.now()
  const accepted = await client.submit({
    model,
    inputs,
    shardSize,
    providers: { min: 1, max: 2 },
    verification: { policy },
  })
  let firstSeen: number | undefined
  const done = await client.wait(accepted.jobId, {
    onProgress: (p) => {
      if (p.samplesDone > 0) firstSeen ??= Date.now()
    },
  })
  return { done, t0, firstSeen: firstSeen ?? Date.now() }
}

/** CPU ms the requester and the providers (together) spent while `fn` ran. */
export async function cpuOf<T>(net: TestNetwork, fn: () => Promise<T>) {
  const pids = [net.requester, ...net.providers].map((n) => n.proc.pid!)
  const before = await Promise.all(pids.map(cpuMs))
  const value = await fn()
  const after = await Promise.all(pids.map(cpuMs))
  const used = after.map((a, i) => a - before[i])
  return { value, requesterCpu: used[0], providersCpu: used.slice(1).reduce((a, b) => a + b, 0) }
}
