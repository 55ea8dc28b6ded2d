import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { buildModel, float, GraphBuildError, node, tensorInitializer, valueInfo } from './graph-builder.js'

describe('graph-builder', () => {
  it('builds a Gemm model that onnxruntime runs with a dynamic batch', async () => {
    const bytes = buildModel({
      nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], { alpha: float(1), beta: float(1), transB: 0 })],
      initializers: [
        tensorInitializer('W', 'float32', [2, 3], [1, 2, 3, 4, 5, 6]),
        tensorInitializer('b', 'float32', [3], [0.5, -0.5, 1]),
      ],
      inputs: [valueInfo('x', 'float32', ['N', 2])],
      outputs: [valueInfo('y', 'float32', ['N', 3])],
    })
    const session = await ort.InferenceSession.create(bytes)
    const x = new ort.Tensor('float32', Float32Array.from([1, 1, 2, 0, 0, 0]), [3, 2])
    const { y } = await session.run({ x })
    expect(y.dims).toEqual([3, 3])
    expect(Array.from(y.data as Float32Array)).toEqual([5.5, 6.5, 10, 2.5, 3.5, 7, 0.5, -0.5, 1])
    await session.release()
  })

  it('rejects a node that reads an undefined value', () => {
    expect(() =>
      buildModel({
        nodes: [node('Relu', ['missing'], ['y'])],
        inputs: [valueInfo('x', 'float32', ['N'])],
        outputs: [valueInfo('y', 'float32', ['N'])],
      }),
    ).toThrow(GraphBuildError)
  })

  it('rejects a graph output that no node produces and duplicate names', () => {
    expect(() =>
      buildModel({
        nodes: [node('Relu', ['x'], ['h'])],
        inputs: [valueInfo('x', 'float32', ['N'])],
        outputs: [valueInfo('y', 'float32', ['N'])],
      }),
    ).toThrow(/never produced/)
    expect(() =>
      buildModel({
        nodes: [node('Relu', ['x'], ['x'])],
        inputs: [valueInfo('x', 'float32', ['N'])],
        outputs: [valueInfo('x', 'float32', ['N'])],
      }),
    ).toThrow(/defined twice/)
  })

  it('encodes int, float, ints and string attributes by type', async () => {
    const bytes = buildModel({
      nodes: [
        node('ReduceSum', ['x', 'axes'], ['s'], { keepdims: 0 }),
        node('LeakyRelu', ['s'], ['y'], { alpha: 0.25 }),
      ],
      initializers: [tensorInitializer('axes', 'int64', [1], [1n])],
      inputs: [valueInfo('x', 'float32', ['N', 2])],
      outputs: [valueInfo('y', 'float32', ['N'])],
    })
    const session = await ort.InferenceSession.create(bytes)
    const { y } = await session.run({
      x: new ort.Tensor('float32', Float32Array.from([1, 2, -4, 0]), [2, 2]),
    })
    expect(Array.from(y.data as Float32Array)).toEqual([3, -1])
    await session.release()
  })
})
