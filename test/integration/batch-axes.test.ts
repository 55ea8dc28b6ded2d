import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EXIT } from '../../src/cli/exit-codes.js'
import { buildModel, node, tensorInitializer, valueInfo } from '../../src/exec/graph-builder.js'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import type { JobProgress } from '../../src/requester/job-spec.js'
import { connect } from '../../src/sdk/client.js'
import { runCli, startNetwork, type TestNetwork } from '../helpers/network.js'

/**
 * A recurrent-style model: `state` float32 [2, N, 4] holds its samples on axis 1 and `sr` is an int64
 * scalar shared by every sample. `stateN` = state × sr keeps the batch on axis 1; `y` sums each sample.
 */
const RECURRENT = buildModel({
  nodes: [
    node('Cast', ['sr'], ['srf'], { to: 1 }),
    node('Mul', ['state', 'srf'], ['stateN']),
    node('ReduceSum', ['state', 'axes'], ['y'], { keepdims: 0 }),
  ],
  initializers: [tensorInitializer('axes', 'int64', [2], [0n, 2n])],
  inputs: [valueInfo('state', 'float32', [2, 'N', 4]), valueInfo('sr', 'int64', [])],
  outputs: [valueInfo('stateN', 'float32', [2, 'N', 4]), valueInfo('y', 'float32', ['N'])],
})

describe('inputs batched on any axis, broadcast inputs, outputs joined on their own axis', () => {
  let net: TestNetwork
  let dir: string
  beforeAll(async () => {
    net = await startNetwork({ providers: 2 })
    dir = await mkdtemp(join(tmpdir(), 'mutirao-axes-'))
  })
  afterAll(async () => {
    await net?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('a job file with batchAxis 1 and a broadcast int64 scalar runs sharded on 2 providers and equals onnxruntime', async () => {
    const n = 60
    // small values: `y` sums 8 of them, and onnxruntime may order that float32 sum differently for a shard of
    // 6 samples than for all 60 (values near 3 differed by 1.9e-6 here; near 0.25 the sums stay within 1e-6)
    const values = Array.from({ length: 2 * n * 4 }, (_, i) => Math.sin(i * 0.37) * 0.25)
    const state = tensorFromValues('float32', [2, n, 4], values)
    const sr = tensorFromValues('int64', [], [16000n])
    await writeFile(join(dir, 'model.onnx'), RECURRENT)
    const rows = (l: number) =>
      Array.from({ length: n }, (_, s) => values.slice((l * n + s) * 4, (l * n + s) * 4 + 4))
    const job = {
      kind: 'onnx-inference',
      model: 'model.onnx',
      inputs: {
        state: { data: [rows(0), rows(1)], dtype: 'float32', batchAxis: 1 },
        sr: { data: [16000], dtype: 'int64', shape: [], broadcast: true },
      },
      outputs: { stateN: { batchAxis: 1 } },
      shardSize: 6,
      providers: { min: 2, max: 2 },
      verification: { policy: 'none' },
    }
    await writeFile(join(dir, 'job.json'), JSON.stringify(job))
    const res = await runCli(['submit', join(dir, 'job.json'), '--data-dir', net.requester.dataDir, '--json'])
    expect(res.code, res.stderr).toBe(EXIT.ok)
    const done = JSON.parse(res.stdout) as JobProgress
    expect(done).toMatchObject({ status: 'done', samplesTotal: n, shardsTotal: 10 })
    // both providers computed shards of it
    expect(done.providers.filter((p) => p.shards > 0)).toHaveLength(2)

    const client = await connect({ dataDir: net.requester.dataDir })
    const out = await client.result(done.jobId)
    const local = await runOnnxLocally(RECURRENT, { state, sr })
    expect(out.stateN.dims).toEqual([2, n, 4])
    expect(out.y.dims).toEqual([n])
    expect(maxAbsDiff(out.stateN, local.stateN)).toBeLessThanOrEqual(1e-6)
    expect(maxAbsDiff(out.y, local.y)).toBeLessThanOrEqual(1e-6)
  })

  it('the SDK infers the same axes from the model alone; a wrong axis is refused naming the input', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const n = 9
    const state = tensorFromValues(
      'float32',
      [2, n, 4],
      Array.from({ length: 2 * n * 4 }, (_, i) => i / 7),
    )
    const sr = tensorFromValues('int64', [], [3n])
    const done = await client.wait(
      (
        await client.submit({
          model: RECURRENT,
          inputs: { state, sr },
          shardSize: 4,
          verification: { policy: 'none' },
        })
      ).jobId,
    )
    expect(done.samplesDone).toBe(n)
    const local = await runOnnxLocally(RECURRENT, { state, sr })
    expect(maxAbsDiff((await client.result(done.jobId)).stateN, local.stateN)).toBeLessThanOrEqual(1e-6)

    const err = await client
      .submit({ model: RECURRENT, inputs: { state, sr }, batchAxes: { inputs: { state: 5 } } })
      .catch((e) => e)
    expect(err.status).toBe(400)
    expect(err.message).toContain("input 'state' has rank 3: batch axis 5 is out of range")
  })
})
