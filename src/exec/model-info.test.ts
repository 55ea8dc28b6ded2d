import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { InputMismatchError, InvalidModelError } from './errors.js'
import { buildModel, node, tensorInitializer, valueInfo } from './graph-builder.js'
import { checkInputs, inspectModel } from './model-info.js'
import { tensorFromValues } from './tensor-values.js'

const model = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../test/fixtures/models/${name}`, import.meta.url)))

describe('inspectModel', () => {
  it('describes the mlp fixture', () => {
    const bytes = model('mlp.onnx')
    const info = inspectModel(bytes)
    expect(info.hash).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(info.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: ['N', 30] }])
    expect(info.outputs).toEqual([
      { name: 'probabilities', dtype: 'float32', dims: ['N', 2] },
      { name: 'label', dtype: 'int64', dims: ['N'] },
    ])
    expect(info.opset).toBe(17)
    expect(info.nodeCount).toBe(5)
    expect(info.cost).toBe(1 + Math.ceil((30 * 16 + 16 * 2) / 1000))
  })

  it('lists every dtype of the multi-io fixture', () => {
    const info = inspectModel(model('multi-io.onnx'))
    expect(info.inputs.map((i) => i.dtype)).toEqual(['float32', 'int64', 'bool', 'int32', 'uint8'])
    expect(info.outputs.map((o) => o.dtype)).toContain('float16')
    expect(info.cost).toBe(1)
  })

  it('counts MatMul and Conv weights in the cost', () => {
    const bytes = buildModel({
      nodes: [
        node('MatMul', ['x', 'W'], ['h']),
        node('Conv', ['img', 'K'], ['c']),
        node('MatMul', ['h', 'h2'], ['z']),
      ],
      initializers: [
        tensorInitializer('W', 'float32', [100, 50], new Array(5000).fill(0)),
        tensorInitializer('K', 'float32', [4, 1, 3, 3], new Array(36).fill(0)),
        tensorInitializer('h2', 'float32', [50, 1], new Array(50).fill(0)),
      ],
      inputs: [valueInfo('x', 'float32', ['N', 100]), valueInfo('img', 'float32', ['N', 1, 8, 8])],
      outputs: [valueInfo('z', 'float32', ['N', 1]), valueInfo('c', 'float32', ['N', 4, 6, 6])],
    })
    expect(inspectModel(bytes).cost).toBe(1 + Math.ceil((5000 + 36 + 50) / 1000))
  })

  it('throws InvalidModelError for bytes that are not a model', () => {
    expect(() => inspectModel(new Uint8Array(0))).toThrow(InvalidModelError)
    expect(() => inspectModel(new TextEncoder().encode('hello, not a model'))).toThrow(/not an ONNX model/)
    expect(() => inspectModel(Uint8Array.from({ length: 300 }, (_, i) => (i * 7919) & 255))).toThrow(
      InvalidModelError,
    )
    expect(() => inspectModel(model('tiny.onnx'), 10)).toThrow(/exceeds 10/)
  })
})

describe('checkInputs', () => {
  const info = inspectModel(model('multi-io.onnx'))
  const good = {
    x: tensorFromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6]),
    ids: tensorFromValues('int64', [2, 2], [1n, 2n, 3n, 4n]),
    mask: tensorFromValues('bool', [2, 3], [1, 0, 1, 0, 1, 0]),
    scale: tensorFromValues('int32', [2, 1], [2, 3]),
    pixels: tensorFromValues('uint8', [2, 2], [0, 255, 128, 1]),
  }

  it('accepts matching inputs with any batch size', () => {
    expect(() => checkInputs(info, good)).not.toThrow()
  })

  it('names the input and the expected versus given type', () => {
    const { ids: _ids, ...missing } = good
    expect(() => checkInputs(info, missing)).toThrow(/input 'ids' is missing/)
    // a misspelt name is named beside the missing one
    expect(() => checkInputs(info, { ...missing, idz: good.ids })).toThrow(
      "input 'ids' is missing (given instead: 'idz', not inputs of the model)",
    )
    expect(() => checkInputs(info, { ...good, extra: good.x })).toThrow(/'extra' is not an input/)
    expect(() =>
      checkInputs(info, { ...good, ids: tensorFromValues('int32', [2, 2], [1, 2, 3, 4]) }),
    ).toThrow("input 'ids' expects int64[N, 2], got int32[2, 2]")
    expect(() =>
      checkInputs(info, { ...good, x: tensorFromValues('float32', [6], [1, 2, 3, 4, 5, 6]) }),
    ).toThrow("input 'x' expects float32[N, 3], got float32[6]")
    expect(() =>
      checkInputs(info, { ...good, x: tensorFromValues('float32', [3, 2], [1, 2, 3, 4, 5, 6]) }),
    ).toThrow(InputMismatchError)
  })
})
