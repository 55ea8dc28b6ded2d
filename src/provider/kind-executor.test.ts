import { describe, expect, it } from 'vitest'
import type { TaskExecutor } from '../exec/task-executor.js'
import type { TensorMap } from '../exec/tensor.js'
import { dispatchByKind } from './kind-executor.js'

const tagged = (tag: number): TaskExecutor => ({
  run: async () => ({ tag: { dtype: 'uint8', dims: [1], data: Uint8Array.of(tag) } }) as TensorMap,
})
const tagOf = (out: TensorMap) => out.tag.data[0]

describe('dispatchByKind', () => {
  const inputs: TensorMap = {}
  const both = dispatchByKind({ 'onnx-inference': tagged(1), wasm: tagged(2) })

  it("hands each task to its agreement's kind; no kind means onnx-inference", async () => {
    expect(tagOf(await both.run({ kind: 'wasm', modelHash: 'h', inputs }))).toBe(2)
    expect(tagOf(await both.run({ kind: 'onnx-inference', modelHash: 'h', inputs }))).toBe(1)
    expect(tagOf(await both.run({ modelHash: 'h', inputs }))).toBe(1)
  })

  it('refuses a kind it has no executor for with UnsupportedKindError', async () => {
    const onnxOnly = dispatchByKind({ 'onnx-inference': tagged(1) })
    await expect(onnxOnly.run({ kind: 'wasm', modelHash: 'h', inputs })).rejects.toMatchObject({
      name: 'UnsupportedKindError',
    })
  })
})
