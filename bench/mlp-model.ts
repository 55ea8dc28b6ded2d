// Generated multi-layer perceptrons for the benchmarks (bench:dispatch, bench:submit).
import { buildModel, float, node, tensorInitializer, valueInfo } from '../src/exec/graph-builder.js'

/** Deterministic weights in [-scale, scale). */
const weights = (seed: number, count: number, scale: number) => {
  const w = new Array<number>(count)
  for (let i = 0; i < count; i++) w[i] = Math.sin(seed * 7919 + i * 0.618) * scale
  return w
}

/**
 * An MLP of Gemm + Relu layers through `widths` (input width first, output width last) with deterministic
 * weights; input `x` [N, widths[0]], output `output` [N, widths.at(-1)], through a softmax when asked.
 */
export function denseMlp(o: {
  name: string
  widths: number[]
  output: string
  softmax?: boolean
}): Uint8Array {
  const layers = o.widths.length - 1
  const last = o.softmax ? 'logits' : o.output
  const nodes = []
  const initializers = []
  for (let i = 1; i <= layers; i++) {
    const [fanIn, fanOut] = [o.widths[i - 1], o.widths[i]]
    const x = i === 1 ? 'x' : `a${i - 1}`
    const y = i === layers ? last : `h${i}`
    nodes.push(node('Gemm', [x, `W${i}`, `b${i}`], [y], { alpha: float(1), beta: float(1) }))
    if (i < layers) nodes.push(node('Relu', [y], [`a${i}`]))
    initializers.push(
      tensorInitializer(
        `W${i}`,
        'float32',
        [fanIn, fanOut],
        weights(2 * i, fanIn * fanOut, 1 / Math.sqrt(fanIn)),
      ),
      tensorInitializer(`b${i}`, 'float32', [fanOut], weights(2 * i + 1, fanOut, 0.1)),
    )
  }
  if (o.softmax) nodes.push(node('Softmax', ['logits'], [o.output], { axis: 1 }))
  return buildModel({
    name: o.name,
    nodes,
    initializers,
    inputs: [valueInfo('x', 'float32', ['N', o.widths[0]])],
    outputs: [valueInfo(o.output, 'float32', ['N', o.widths[layers]])],
  })
}
