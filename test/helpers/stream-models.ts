import { buildModel, node, tensorInitializer, valueInfo } from '../../src/exec/graph-builder.js'
import type { TensorMap } from '../../src/exec/tensor.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'

/** Sample `i` of a test stream: input `x` float32 [1, d], values from a sine pattern. */
export function sineSample(i: number, d: number): TensorMap {
  return {
    x: tensorFromValues(
      'float32',
      [1, d],
      Array.from({ length: d }, (_, j) => Math.sin(i * 0.37 + j) * 2),
    ),
  }
}

/** A tensor map's names, shapes and bytes as one string: equal strings mean bit-equal maps. */
export function tensorsHex(m: TensorMap): string {
  return Object.keys(m)
    .sort()
    .map((k) => `${k}:${m[k].dims}:${Buffer.from(m[k].data).toString('hex')}`)
    .join('|')
}

/**
 * A small recurrent model for stream tests and benches: `hOut = tanh(x·W + h·U)`, `y = hOut·V`, with input
 * `x` float32 [1, 4], state `h` float32 [1, 8], outputs `y` [1, 1] and `hOut` [1, 8]. Feeding `hOut` back into
 * `h` makes each answer depend on every earlier sample.
 */
export function recurrentModel(): Uint8Array {
  const w = (rows: number, cols: number, seed: number) =>
    Array.from({ length: rows * cols }, (_, i) => Math.sin((i + 1) * seed) * 0.5)
  return buildModel({
    nodes: [
      node('MatMul', ['x', 'W'], ['xw']),
      node('MatMul', ['h', 'U'], ['hu']),
      node('Add', ['xw', 'hu'], ['pre']),
      node('Tanh', ['pre'], ['hOut']),
      node('MatMul', ['hOut', 'V'], ['y']),
    ],
    initializers: [
      tensorInitializer('W', 'float32', [4, 8], w(4, 8, 1.3)),
      tensorInitializer('U', 'float32', [8, 8], w(8, 8, 0.7)),
      tensorInitializer('V', 'float32', [8, 1], w(8, 1, 2.1)),
    ],
    inputs: [valueInfo('x', 'float32', [1, 4]), valueInfo('h', 'float32', [1, 8])],
    outputs: [valueInfo('y', 'float32', [1, 1]), valueInfo('hOut', 'float32', [1, 8])],
  })
}
