import * as ort from 'onnxruntime-node'
import { describe, expect, it } from 'vitest'
import { buildModel, node, valueInfo } from './graph-builder.js'
import { fromOrtTensor, toOrtTensor } from './ort-tensor.js'
import { DTYPES } from './tensor.js'
import { tensorFromValues, tensorToValues } from './tensor-values.js'

const values = {
  float32: [1.5, -2],
  float64: [1e300, -0.25],
  float16: [0.5, -65504],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  bool: [true, false],
}

describe('onnxruntime tensor conversion', () => {
  it.each(DTYPES)('%s survives an Identity model unchanged', async (dtype) => {
    const t = tensorFromValues(dtype, [2, 1], values[dtype])
    const model = buildModel({
      nodes: [node('Identity', ['x'], ['y'])],
      inputs: [valueInfo('x', dtype, ['N', 1])],
      outputs: [valueInfo('y', dtype, ['N', 1])],
    })
    const session = await ort.InferenceSession.create(model)
    const { y } = await session.run({ x: toOrtTensor(t) })
    const back = fromOrtTensor(y)
    expect(back.dtype).toBe(dtype)
    expect(back.dims).toEqual([2, 1])
    expect(tensorToValues(back)).toEqual(values[dtype])
    await session.release()
  })

  it('copies misaligned bytes instead of failing', () => {
    const buf = new Uint8Array(9)
    const t = { dtype: 'float32' as const, dims: [2], data: buf.subarray(1) }
    new DataView(buf.buffer).setFloat32(1, 3.5, true)
    expect(Array.from(toOrtTensor(t).data as Float32Array)).toEqual([3.5, 0])
  })

  it('copies a misaligned Node Buffer (whose slice() is a view) too', () => {
    const buf = Buffer.alloc(9)
    buf.writeFloatLE(-2.25, 1)
    const t = { dtype: 'float32' as const, dims: [2], data: buf.subarray(1) }
    expect(Array.from(toOrtTensor(t).data as Float32Array)).toEqual([-2.25, 0])
  })
})
