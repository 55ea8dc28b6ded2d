import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { writeNpy } from '../exec/npy.js'
import { encodeTensorParts } from '../exec/tensor-codec.js'
import type { JobProgress, JobSpecInput } from '../requester/job-spec.js'
import { sha256Hex } from '../store/sha256.js'
import { ApiError, type InferenceJob } from './client.js'
import { type LoadedOnnxJob, loadJobFile, parseJobFile } from './job-file.js'
import { addressJobFile, submitJobFile } from './submit-job-file.js'

const N = 5
const MODEL = new URL('../../test/fixtures/models/multi-io.onnx', import.meta.url).pathname
const bytes = (n: number, f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i))

/** A stand-in for the node's API that knows some blobs and records what it was sent. */
function fakeClient(known: Set<string>, specError?: unknown) {
  const specs: JobSpecInput[] = []
  const jobs: InferenceJob[] = []
  const accepted = { jobId: 'job-1' } as JobProgress
  const client = {
    hasBlob: async (hash: string) => known.has(hash),
    submitSpec: async (spec: JobSpecInput) => {
      specs.push(spec)
      if (specError) throw specError
      return accepted
    },
    submit: async (job: InferenceJob) => {
      jobs.push(job)
      return accepted
    },
    submitWasm: async () => {
      throw new Error('not a wasm job')
    },
  }
  return { client, specs, jobs }
}

describe('submitJobFile', () => {
  let dir: string
  let path: string
  let loaded: LoadedOnnxJob
  let hashes: { modelHash: string; inputsHash: string }
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mutirao-submit-file-'))
    await copyFile(MODEL, join(dir, 'model.onnx'))
    const x = new Float32Array(N * 3).map((_, i) => i / 7)
    await writeFile(
      join(dir, 'x.npy'),
      writeNpy({ dtype: 'float32', dims: [N, 3], data: new Uint8Array(x.buffer) }),
    )
    await writeFile(
      join(dir, 'ids.bin'),
      new Uint8Array(new BigInt64Array(N * 2).map((_, i) => BigInt(i)).buffer),
    )
    // 10 bytes: the encoding pads it to 16, and the 15 bytes of the inline mask to 16
    await writeFile(
      join(dir, 'px.npy'),
      writeNpy({ dtype: 'uint8', dims: [N, 2], data: bytes(N * 2, (i) => i * 3) }),
    )
    path = join(dir, 'job.json')
    await writeFile(
      path,
      JSON.stringify({
        kind: 'onnx-inference',
        model: 'model.onnx',
        inputs: {
          x: { npy: 'x.npy' },
          ids: { raw: 'ids.bin', dtype: 'int64', shape: [N, 2] },
          mask: { data: Array.from({ length: N }, (_, i) => [true, i % 2 === 0, false]), dtype: 'bool' },
          scale: { data: Array.from({ length: N }, (_, i) => [i]), dtype: 'int32' },
          pixels: { npy: 'px.npy', batchAxis: 0 },
        },
        shardSize: 2,
        maxPrice: '0.02',
        name: 'by address',
      }),
    )
    loaded = (await loadJobFile(path)) as LoadedOnnxJob
    hashes = { modelHash: sha256Hex(loaded.model), inputsHash: sha256Hex(encodeTensorParts(loaded.inputs)) }
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('addresses the model and input set as client.submit sends them, from .npy, raw and inline inputs', async () => {
    const parsed = await parseJobFile(path)
    if (parsed.kind !== 'onnx-inference') throw new Error('parsed as wasm')
    expect(await addressJobFile(parsed.file, parsed.baseDir, parsed.modelPath)).toEqual(hashes)
  })

  it('submits by content address alone when the node holds both blobs', async () => {
    const f = fakeClient(new Set([hashes.modelHash, hashes.inputsHash]))
    expect(await submitJobFile(f.client, path)).toEqual({ jobId: 'job-1' })
    expect(f.jobs).toEqual([])
    expect(f.specs).toEqual([
      expect.objectContaining({
        kind: 'onnx-inference',
        ...hashes,
        name: 'by address',
        shardSize: 2,
        maxPricePerUnit: '20000000000000', // 0.02 MUT per 1,000 units
        batchAxes: { inputs: { pixels: 0 }, outputs: {} },
      }),
    ])
  })

  it('loads and sends the job when the node lacks a blob', async () => {
    const f = fakeClient(new Set([hashes.modelHash]))
    await submitJobFile(f.client, path)
    expect(f.specs).toEqual([])
    expect(f.jobs).toHaveLength(1)
    expect(sha256Hex(f.jobs[0].model as Uint8Array)).toBe(hashes.modelHash)
    expect(sha256Hex(encodeTensorParts(f.jobs[0].inputs))).toBe(hashes.inputsHash)
  })

  it("loads the job when the node refuses its content (400); the node's other refusals are the answer", async () => {
    const known = new Set([hashes.modelHash, hashes.inputsHash])
    const refused = fakeClient(known, new ApiError(400, 'InvalidInputError', 'inputs do not fit', []))
    await submitJobFile(refused.client, path)
    expect([refused.specs.length, refused.jobs.length]).toEqual([1, 1])
    const broke = fakeClient(known, new ApiError(500, 'Error', 'disk full', []))
    await expect(submitJobFile(broke.client, path)).rejects.toThrow('disk full')
    expect(broke.jobs).toEqual([])
  })

  it('reports a file it cannot address as loading it does, naming the input', async () => {
    await writeFile(join(dir, 'x.npy'), 'not a numpy file')
    const f = fakeClient(new Set([hashes.modelHash, hashes.inputsHash]))
    await expect(submitJobFile(f.client, path)).rejects.toThrow(/Input 'x': invalid \.npy/)
    expect([f.specs.length, f.jobs.length]).toEqual([0, 0])
  })
})
