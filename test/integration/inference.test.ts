import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import type { TensorMap } from '../../src/exec/tensor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../../src/exec/tensor-values.js'
import { connect } from '../../src/sdk/client.js'
import { startNetwork, type TestNetwork } from '../helpers/network.js'
import { wdbcFeatures } from '../helpers/wdbc.js'

const MODELS = resolve(import.meta.dirname, '../fixtures/models')

describe('inference across separate processes on 127.0.0.1', () => {
  let net: TestNetwork
  beforeAll(async () => {
    net = await startNetwork({ providers: 3 })
  })
  afterAll(async () => {
    await net?.stop()
  })

  it('runs a 1,200-sample job on three providers; outputs equal local onnxruntime, in input order', async () => {
    const model = new Uint8Array(await readFile(resolve(MODELS, 'mlp.onnx')))
    const inputs: TensorMap = { x: await wdbcFeatures(1200) }
    expect(inputs.x.dims).toEqual([1200, 30])
    const client = await connect({ dataDir: net.requester.dataDir })
    const progress: number[] = []
    const outputs = await client.infer({
      model,
      inputs,
      shardSize: 50,
      onProgress: (p) => progress.push(p.samplesDone),
    })
    const local = await runOnnxLocally(model, inputs)
    expect(Object.keys(outputs).sort()).toEqual(['label', 'probabilities'])
    expect(outputs.probabilities.dims).toEqual([1200, 2])
    expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-6)
    expect(tensorToValues(outputs.label)).toEqual(tensorToValues(local.label))
    const jobs = await client.jobs()
    const job = jobs[0]
    expect(job.status).toBe('done')
    expect(job.samplesDone).toBe(1200)
    // every shard was done exactly once and the work adds up
    expect(job.providers.reduce((a, p) => a + p.samples, 0)).toBe(1200)
    expect(job.providers.reduce((a, p) => a + p.shards, 0)).toBe(24)
    expect(job.providers.length).toBeGreaterThanOrEqual(2)
    expect(progress.at(-1)).toBe(1200)
  })

  it('runs a model with several named inputs of different dtypes (int64, bool, uint8, int32) and outputs', async () => {
    const model = new Uint8Array(await readFile(resolve(MODELS, 'multi-io.onnx')))
    const n = 300
    const inputs: TensorMap = {
      x: tensorFromValues(
        'float32',
        [n, 3],
        Array.from({ length: n * 3 }, (_, i) => Math.sin(i) * 3),
      ),
      ids: tensorFromValues(
        'int64',
        [n, 2],
        Array.from({ length: n * 2 }, (_, i) => BigInt(i) * 1_000_000_007n - 5n),
      ),
      mask: tensorFromValues(
        'bool',
        [n, 3],
        Array.from({ length: n * 3 }, (_, i) => i % 3 !== 1),
      ),
      scale: tensorFromValues(
        'int32',
        [n, 1],
        Array.from({ length: n }, (_, i) => (i % 7) - 3),
      ),
      pixels: tensorFromValues(
        'uint8',
        [n, 2],
        Array.from({ length: n * 2 }, (_, i) => (i * 37) % 256),
      ),
    }
    const client = await connect({ dataDir: net.requester.dataDir })
    const outputs = await client.infer({ model, inputs, shardSize: 40 })
    const local = await runOnnxLocally(model, inputs)
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(local).sort())
    for (const [name, t] of Object.entries(local)) {
      expect(outputs[name].dtype, name).toBe(t.dtype)
      expect(outputs[name].dims, name).toEqual(t.dims)
      expect(Buffer.from(outputs[name].data).equals(Buffer.from(t.data)), name).toBe(true)
    }
  })
})
