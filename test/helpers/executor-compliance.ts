import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import type { TaskExecutor } from '../../src/exec/task-executor.js'
import type { TensorMap } from '../../src/exec/tensor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { taskErrorCode } from '../../src/provider/task-error-code.js'
import { sha256Hex } from '../../src/store/blob-store.js'
import { wdbcFeatures } from './wdbc.js'

const MLP = new Uint8Array(readFileSync(new URL('../fixtures/models/mlp.onnx', import.meta.url)))
const NOT_A_MODEL = new TextEncoder().encode('this is not an ONNX model')

/** An executor under test, built over a blob lookup, and how to release it. */
export interface ExecutorUnderTest {
  executor: TaskExecutor
  close(): Promise<void>
}

/**
 * The contract every ONNX `TaskExecutor` keeps, whatever runs the model (worker threads on the CPU, the GPU,
 * onnxruntime-web in a tab) — as js-libp2p holds every transport to one suite: outputs equal onnxruntime run
 * here; inputs that do not fit the model and bytes that are not a model are refused with the wire code that
 * costs the provider nothing (`invalid-input`); concurrent runs of one model agree; a failure leaves it working.
 */
export function describeOnnxExecutor(
  name: string,
  make: (getModel: (hash: string) => Promise<Uint8Array>) => Promise<ExecutorUnderTest>,
  tolerance = 1e-5,
): void {
  describe(`TaskExecutor compliance: ${name}`, () => {
    const blobs = new Map([MLP, NOT_A_MODEL].map((b) => [sha256Hex(b), b]))
    const getModel = async (hash: string) => {
      const bytes = blobs.get(hash)
      if (!bytes) throw new Error(`no blob ${hash}`)
      return bytes
    }
    let under: ExecutorUnderTest
    let x: TensorMap
    let local: TensorMap
    beforeAll(async () => {
      under = await make(getModel)
      x = { x: await wdbcFeatures(40, { varied: true }) }
      local = await runOnnxLocally(MLP, x)
    }, 60_000)
    afterAll(() => under?.close())

    const expectLocal = (out: TensorMap) => {
      expect(Object.keys(out).sort()).toEqual(Object.keys(local).sort())
      for (const k of Object.keys(local)) {
        expect(out[k].dtype).toBe(local[k].dtype)
        expect(out[k].dims).toEqual(local[k].dims)
        expect(maxAbsDiff(out[k], local[k])).toBeLessThanOrEqual(tolerance)
      }
    }

    it('runs a model to the outputs onnxruntime gives here', async () => {
      expectLocal(await under.executor.run({ modelHash: sha256Hex(MLP), inputs: x }))
    })

    it('refuses inputs that do not fit the model, as the requester’s fault (invalid-input)', async () => {
      for (const inputs of <TensorMap[]>[
        { y: x.x },
        { x: tensorFromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6]) },
        { x: tensorFromValues('int32', [1, 30], new Array(30).fill(1)) },
      ]) {
        const err = await under.executor.run({ modelHash: sha256Hex(MLP), inputs }).then(
          () => undefined,
          (e: unknown) => e,
        )
        expect(err, JSON.stringify(Object.keys(inputs))).toBeInstanceOf(Error)
        expect(taskErrorCode(err)).toBe('invalid-input')
      }
    })

    it('refuses bytes that are not a model, as the requester’s fault (invalid-input)', async () => {
      const err = await under.executor.run({ modelHash: sha256Hex(NOT_A_MODEL), inputs: x }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(Error)
      expect(taskErrorCode(err)).toBe('invalid-input')
    })

    it('runs one model concurrently with every answer right, and keeps working after failures', async () => {
      const outs = await Promise.all(
        Array.from({ length: 4 }, () => under.executor.run({ modelHash: sha256Hex(MLP), inputs: x })),
      )
      for (const out of outs) expectLocal(out)
    })
  })
}
