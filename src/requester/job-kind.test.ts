import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.js'
import { wasmJobInputs } from '../sdk/wasm-job.js'
import { checkJob, kindInfo, wasmUnitsPerRun } from './job-kind.js'
import { JobSpecSchema } from './job-spec.js'

const module = new Uint8Array(
  readFileSync(new URL('../../examples/wasm-montecarlo/var.wasm', import.meta.url)),
)
const limits = { memoryBytes: 32 * 1024 * 1024, timeMs: 2500, outputBytes: 4096 }
const hash = 'a'.repeat(64)
const spec = (extra: object = {}) =>
  JobSpecSchema.parse({ kind: 'wasm', modelHash: hash, inputsHash: hash, limits, ...extra })
const runs = [{ args: ['1000', '10', '0.99', '1'] }, { args: ['1000', '10', '0.99', '2'] }]

describe('wasm job kind (requester side)', () => {
  it('prices a run at one unit per started second of its time limit, whatever the run takes', () => {
    expect(wasmUnitsPerRun({ timeMs: 1 })).toBe(1)
    expect(wasmUnitsPerRun({ timeMs: 1000 })).toBe(1)
    expect(wasmUnitsPerRun({ timeMs: 2500 })).toBe(3)
    expect(kindInfo(spec(), module).cost).toBe(3)
  })

  it('declares the outputs every result must have: stdout as wide as limits.outputBytes', async () => {
    const info = await checkJob(spec(), module, wasmJobInputs(runs, limits))
    expect(info.outputs).toEqual([
      { name: 'stdout', dtype: 'uint8', dims: ['runs', 4096] },
      { name: 'stdoutLength', dtype: 'int32', dims: ['runs'] },
      { name: 'exitCode', dtype: 'int32', dims: ['runs'] },
    ])
  })

  it('refuses runs whose limits differ from the spec, and tasks whose output would not fit a frame', async () => {
    const other = wasmJobInputs(runs, { ...limits, timeMs: 60_000 })
    await expect(checkJob(spec(), module, other)).rejects.toThrow(/Run 0 has limits other than the job's/)
    const wide = { ...limits, outputBytes: 16 * 1024 * 1024 }
    const err = await checkJob(
      spec({ limits: wide, shardSize: 4 }),
      module,
      wasmJobInputs([...runs, ...runs], wide),
    ).catch((e) => e)
    expect(err.message).toMatch(/shardSize × limits.outputBytes/)
  })

  it('refuses an invalid module by name', async () => {
    const err = await checkJob(
      spec(),
      Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
      wasmJobInputs(runs, limits),
    ).catch((e) => e)
    expect(err.name).toBe('InvalidWasmError')
  })

  it('refuses a module whose initial memory exceeds limits.memoryBytes as bad input (HTTP 400)', async () => {
    // magic + version, then a memory section declaring 1,024 pages (64 MiB) minimum, more than `limits` allows
    const module = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 0, 0x80, 8)
    const err = await checkJob(spec(), module, wasmJobInputs(runs, limits)).catch((e) => e)
    expect(err).toBeInstanceOf(InvalidInputError)
    expect(err.name).toBe('InvalidWasmError')
    expect(err.message).toMatch(/initial memory exceeds limits.memoryBytes/)
  })

  it('requires limits for a wasm spec and keeps onnx specs as they were', () => {
    expect(JobSpecSchema.safeParse({ kind: 'wasm', modelHash: hash, inputsHash: hash }).success).toBe(false)
    const onnx = JobSpecSchema.parse({ kind: 'onnx-inference', modelHash: hash, inputsHash: hash })
    expect(onnx.shardSize).toBe(256)
    expect(spec().shardSize).toBe(8)
  })
})
