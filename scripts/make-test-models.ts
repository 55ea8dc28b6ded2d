/**
 * Writes the small ONNX models used by the executor's tests and benchmarks into test/fixtures/models/.
 * Deterministic: weights come from a seeded PRNG, so re-running reproduces the committed files byte for byte.
 *
 *   npx tsx scripts/make-test-models.ts
 */
import '../src/polyfill.js'
import { mkdirSync, writeFileSync } from 'node:fs'
import { buildModel, float, node, tensorInitializer, valueInfo } from '../src/exec/graph-builder.js'

/** mulberry32: a tiny seeded PRNG, uniform in [-scale, scale). */
function random(seed: number, count: number, scale: number): number[] {
  let a = seed >>> 0
  return Array.from({ length: count }, () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5) * 2 * scale
  })
}

/** Classifier: x float32[N,30] → Gemm → Relu → Gemm → Softmax (probabilities) and ArgMax (label int64). */
export function mlpModel(): Uint8Array {
  return buildModel({
    name: 'mlp',
    docString: 'Test classifier: 30 features, 16 hidden units, 2 classes. Fixed random weights.',
    nodes: [
      node('Gemm', ['x', 'W1', 'b1'], ['h'], { alpha: float(1), beta: float(1) }),
      node('Relu', ['h'], ['a']),
      node('Gemm', ['a', 'W2', 'b2'], ['logits'], { alpha: float(1), beta: float(1) }),
      node('Softmax', ['logits'], ['probabilities'], { axis: 1 }),
      node('ArgMax', ['logits'], ['label'], { axis: 1, keepdims: 0 }),
    ],
    initializers: [
      tensorInitializer('W1', 'float32', [30, 16], random(1, 480, 0.4)),
      tensorInitializer('b1', 'float32', [16], random(2, 16, 0.1)),
      tensorInitializer('W2', 'float32', [16, 2], random(3, 32, 0.6)),
      tensorInitializer('b2', 'float32', [2], random(4, 2, 0.1)),
    ],
    inputs: [valueInfo('x', 'float32', ['N', 30])],
    outputs: [valueInfo('probabilities', 'float32', ['N', 2]), valueInfo('label', 'int64', ['N'])],
  })
}

/**
 * Several inputs and outputs of different dtypes, all batched on N:
 * inputs x f32[N,3], ids i64[N,2], mask bool[N,3], scale i32[N,1], pixels u8[N,2];
 * outputs y = where(mask, x, 0) · scale f32[N,3], ids_f = float(ids) f32[N,2], ids_sum i64[N],
 * positive = x > 0 bool[N,3], count = Σ mask i32[N], pix = pixels / 255 f32[N,2], half = float16(x) f16[N,3].
 */
export function multiIoModel(): Uint8Array {
  return buildModel({
    name: 'multi-io',
    nodes: [
      node('Where', ['mask', 'x', 'zero'], ['masked']),
      node('Cast', ['scale'], ['scale_f'], { to: 1 }),
      node('Mul', ['masked', 'scale_f'], ['y']),
      node('Cast', ['ids'], ['ids_f'], { to: 1 }),
      node('ReduceSum', ['ids', 'axis1'], ['ids_sum'], { keepdims: 0 }),
      node('Greater', ['x', 'zero'], ['positive']),
      node('Cast', ['mask'], ['mask_i'], { to: 6 }),
      node('ReduceSum', ['mask_i', 'axis1'], ['count'], { keepdims: 0 }),
      node('Cast', ['pixels'], ['pixels_f'], { to: 1 }),
      node('Div', ['pixels_f', 'c255'], ['pix']),
      node('Cast', ['x'], ['half'], { to: 10 }),
    ],
    initializers: [
      tensorInitializer('zero', 'float32', [], [0]),
      tensorInitializer('c255', 'float32', [], [255]),
      tensorInitializer('axis1', 'int64', [1], [1n]),
    ],
    inputs: [
      valueInfo('x', 'float32', ['N', 3]),
      valueInfo('ids', 'int64', ['N', 2]),
      valueInfo('mask', 'bool', ['N', 3]),
      valueInfo('scale', 'int32', ['N', 1]),
      valueInfo('pixels', 'uint8', ['N', 2]),
    ],
    outputs: [
      valueInfo('y', 'float32', ['N', 3]),
      valueInfo('ids_f', 'float32', ['N', 2]),
      valueInfo('ids_sum', 'int64', ['N']),
      valueInfo('positive', 'bool', ['N', 3]),
      valueInfo('count', 'int32', ['N']),
      valueInfo('pix', 'float32', ['N', 2]),
      valueInfo('half', 'float16', ['N', 3]),
    ],
  })
}

/** Overhead benchmark model: x float32[N,4] → Gemm → y float32[N,2]. */
export function tinyModel(): Uint8Array {
  return buildModel({
    name: 'tiny',
    nodes: [node('Gemm', ['x', 'W', 'b'], ['y'], { alpha: float(1), beta: float(1) })],
    initializers: [
      tensorInitializer('W', 'float32', [4, 2], random(5, 8, 1)),
      tensorInitializer('b', 'float32', [2], random(6, 2, 0.1)),
    ],
    inputs: [valueInfo('x', 'float32', ['N', 4])],
    outputs: [valueInfo('y', 'float32', ['N', 2])],
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = new URL('../test/fixtures/models/', import.meta.url)
  mkdirSync(dir, { recursive: true })
  for (const [name, make] of [
    ['mlp.onnx', mlpModel],
    ['multi-io.onnx', multiIoModel],
    ['tiny.onnx', tinyModel],
  ] as const) {
    const bytes = make()
    writeFileSync(new URL(name, dir), bytes)
    process.stdout.write(`wrote test/fixtures/models/${name} (${bytes.byteLength} bytes)\n`)
  }
}
