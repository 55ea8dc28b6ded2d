// bench:dispatch (b): batches through the network against local onnxruntime on the same threads (bench/dispatch.ts).
import '../src/polyfill.js'
import { createOnnxExecutor } from '../src/exec/onnx-executor.js'
import { createOnnxSession, runSession } from '../src/exec/onnx-session.js'
import type { TensorMap } from '../src/exec/tensor.js'
import { sliceBatch } from '../src/exec/tensor-codec.js'
import type { MutiraoClient } from '../src/sdk/client.js'
import { sha256Hex } from '../src/store/blob-store.js'
import type { TestNetwork } from '../test/helpers/network.js'
import { cpuOf, type Policy, startProfiles, stopProfiles } from './dispatch-common.js'
import { denseMlp } from './mlp-model.js'

/** A compute-bound classifier: 30 → w → w → 2 (w = 512: ≈ 280k multiply-adds per sample; 1024: ≈ 1.1 M). */
export const wideMlp = (w = 512): Uint8Array =>
  denseMlp({ name: 'wide-mlp', widths: [30, w, w, 2], output: 'probabilities', softmax: true })

/** A network run of a batch: wall times and CPU time per process. */
export interface NetworkRun {
  e2e: number
  steady: number
  requesterCpu: number
  providersCpu: number
}

/** One batch as a job through the requester process: wall times (node-side) and CPU time per process. */
export async function networkJob(
  net: TestNetwork,
  client: MutiraoClient,
  model: Uint8Array,
  batch: TensorMap,
  o: { size: number; max: number; policy: Policy; profile?: boolean },
): Promise<NetworkRun> {
  if (o.profile) await startProfiles()
  const { value: done, ...cpu } = await cpuOf(net, async () => {
    const t0 = Date.now()
    const accepted = await client.submit({
      model,
      inputs: batch,
      shardSize: o.size,
      providers: { min: 1, max: o.max },
      verification: { policy: o.policy },
    })
    const r = await client.wait(accepted.jobId)
    if (r.status !== 'done') throw new Error(`(b) job ${r.status}: ${r.error} after ${Date.now() - t0} ms`)
    return r
  })
  if (o.profile) await stopProfiles()
  return {
    e2e: (done.finishedAt ?? 0) - done.createdAt,
    steady: (done.finishedAt ?? 0) - (done.firstResultAt ?? 0),
    ...cpu,
  }
}

/** Local wall time of `batch` through a pool of `threads` ONNX worker threads, in shards of `size`. */
export async function localPool(model: Uint8Array, batch: TensorMap, threads: number, size: number) {
  const n = batch.x.dims[0]
  const hash = sha256Hex(model)
  const exec = createOnnxExecutor({ threads, getModel: async () => model })
  await exec.run({ modelHash: hash, inputs: sliceBatch(batch, 0, size) })
  const t = performance.now()
  const parts = []
  for (let s = 0; s < n; s += size)
    parts.push(exec.run({ modelHash: hash, inputs: sliceBatch(batch, s, Math.min(n, s + size)) }))
  await Promise.all(parts)
  const wall = performance.now() - t
  await exec.stop()
  return wall
}

/**
 * (b) One batch: local baselines in this process (one session.run over everything, and worker pools of 1 and
 * 2 threads over the same shards as the network), then the same batch as jobs through the requester process:
 * on both providers (2 × 1 thread), on one (1 × 1 thread), and (optionally) with adaptive verification.
 */
export async function batchRun(
  net: TestNetwork,
  client: MutiraoClient,
  name: string,
  model: Uint8Array,
  batch: TensorMap,
  sizes: number[],
  withAdaptive: boolean,
  oneOnly = false,
) {
  const session = await createOnnxSession(model)
  await runSession(session, sliceBatch(batch, 0, 1000))
  const t = performance.now()
  await runSession(session, batch)
  const localOne = performance.now() - t
  await session.release()
  const pools: Record<number, Record<number, number>> = { 1: {}, 2: {} }
  for (const threads of [1, 2])
    for (const size of sizes) pools[threads][size] = await localPool(model, batch, threads, size)
  const job = (size: number, max: number, policy: Policy, profile = false) =>
    networkJob(net, client, model, batch, { size, max, policy, profile })
  const network: Record<number, { two?: NetworkRun; one: NetworkRun; adaptive?: NetworkRun }> = {}
  for (const size of sizes) {
    network[size] = {
      two: oneOnly ? undefined : await job(size, 2, 'none'),
      one: await job(size, 1, 'none', process.env.PROF_JOB === `${name}:${size}`),
      adaptive: withAdaptive && !oneOnly ? await job(size, 2, 'adaptive') : undefined,
    }
  }
  return { name, sizes, localOne, localPool: pools, network }
}
