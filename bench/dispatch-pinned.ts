// bench:dispatch (b, pinned): a compute-bound batch with the requester on one core and the provider on the
// other (`taskset`), against the same model on one core locally (bench/dispatch.ts, issue 17 item 1b).
import { execFile } from 'node:child_process'
import { cpus } from 'node:os'
import { promisify } from 'node:util'
import { createOnnxSession, runSession } from '../src/exec/onnx-session.js'
import type { TensorMap } from '../src/exec/tensor.js'
import { sliceBatch } from '../src/exec/tensor-codec.js'
import type { MutiraoClient } from '../src/sdk/client.js'
import type { TestNetwork } from '../test/helpers/network.js'
import { localPool, type NetworkRun, networkJob } from './dispatch-batch.js'

const run = promisify(execFile)

/** Pin every thread of process `pid` (and the threads it starts later) to the CPUs in `list` (taskset syntax). */
export async function pin(pid: number, list: string): Promise<void> {
  await run('taskset', ['-a', '-p', '-c', list, String(pid)])
}

/** The CPU list of the whole machine (taskset syntax). */
const allCpus = () => `0-${cpus().length - 1}`

/** The pinned comparison's figures: the ratios and what they were computed from. */
export interface PinnedResult {
  /** Best local wall time on one pinned core (one session.run, or a 1-worker pool over the same shards). */
  localMs: number
  run: NetworkRun
  shardSize: number
  /** local ÷ network job created → done. */
  endToEnd: number
  /** local × (batch − one shard) ÷ first → last result. */
  steady: number
}

/**
 * Local baseline with this process pinned to CPU 1; then the requester (and this process, which only polls)
 * on CPU 0 and the providers on CPU 1, and the batch as a one-provider job with verification `none`.
 * Every process gets the whole machine back afterwards, also when the job fails.
 * @throws when the machine has fewer than 2 CPUs (nothing to pin apart).
 */
export async function pinnedRun(
  net: TestNetwork,
  client: MutiraoClient,
  model: Uint8Array,
  batch: TensorMap,
  shardSize: number,
): Promise<PinnedResult> {
  if (cpus().length < 2) throw new Error('the pinned comparison needs 2 CPUs')
  const n = batch.x.dims[0]
  const pids = [process.pid, net.requester.proc.pid!, ...net.providers.map((p) => p.proc.pid!)]
  try {
    await pin(process.pid, '1')
    const session = await createOnnxSession(model)
    await runSession(session, sliceBatch(batch, 0, shardSize))
    const t = performance.now()
    await runSession(session, batch)
    const one = performance.now() - t
    await session.release()
    const localMs = Math.min(one, await localPool(model, batch, 1, shardSize))
    await pin(process.pid, '0')
    await pin(net.requester.proc.pid!, '0')
    for (const p of net.providers) await pin(p.proc.pid!, '1')
    const r = await networkJob(net, client, model, batch, {
      size: shardSize,
      max: 1,
      policy: 'none',
      profile: process.env.PROF_JOB === 'pinned',
    })
    return {
      localMs,
      run: r,
      shardSize,
      endToEnd: localMs / r.e2e,
      steady: (localMs * Math.max(0, n - shardSize)) / n / r.steady,
    }
  } finally {
    for (const pid of pids) await pin(pid, allCpus()).catch(() => {})
  }
}
