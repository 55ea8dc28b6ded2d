import type { Preprocessing } from '../data/preprocess.js'
import { MutiraoError } from '../errors.js'
import { buildModel, node, tensorInitializer, valueInfo } from '../exec/graph-builder.js'
import type { OnnxProto } from '../onnx/onnx-proto.js'
import type { tf } from './backend.js'

/** The network has a layer or activation the ONNX exporter does not support. */
export class UnsupportedLayerError extends MutiraoError {
  override name = 'UnsupportedLayerError'
}

/** Options for {@link exportToOnnx}. */
export interface ExportOptions {
  /** Class names, stored in the model's doc string. */
  classes?: string[]
}

const ACTIVATIONS: Record<string, string | undefined> = { linear: undefined, relu: 'Relu', tanh: 'Tanh' }

/**
 * Exports a trained logits network (dense layers, linear/relu/tanh) together with its preprocessing to
 * ONNX (opset 17). The model takes raw encoded features and does the preprocessing itself:
 *
 * - input `features` float32 `[N, d]` (numeric values, category indices, `NaN` for missing);
 * - `Where(IsNaN)` imputation → `Gather` to model columns → `Equal` one-hot for categorical columns →
 *   `(v − mean) / std` → `MatMul + Add (+ Relu/Tanh)` per layer → `Softmax`;
 * - outputs `probabilities` float32 `[N, classes]` and `label` int64 `[N]` (argmax).
 */
export function exportToOnnx(
  net: tf.LayersModel,
  pre: Preprocessing,
  options: ExportOptions = {},
): Uint8Array {
  const m = pre.outputDim
  const nodes: OnnxProto.INodeProto[] = []
  const inits: OnnxProto.ITensorProto[] = [
    tensorInitializer('fill', 'float32', [pre.inputDim], pre.fill),
    tensorInitializer('source', 'int64', [m], Array.from(pre.source, BigInt)),
    tensorInitializer('mean', 'float32', [m], pre.mean),
    tensorInitializer('std', 'float32', [m], pre.std),
  ]
  nodes.push(node('IsNaN', ['features'], ['is_missing']))
  nodes.push(node('Where', ['is_missing', 'fill', 'features'], ['imputed']))
  nodes.push(node('Gather', ['imputed', 'source'], ['expanded'], { axis: 1 }))
  let columns = 'expanded'
  if (pre.category.some((c) => c >= 0)) {
    inits.push(tensorInitializer('category', 'float32', [m], pre.category))
    inits.push(
      tensorInitializer(
        'is_categorical',
        'bool',
        [m],
        Array.from(pre.category, (c) => c >= 0),
      ),
    )
    nodes.push(node('Equal', ['expanded', 'category'], ['is_category']))
    nodes.push(node('Cast', ['is_category'], ['one_hot'], { to: 1 }))
    nodes.push(node('Where', ['is_categorical', 'one_hot', 'expanded'], ['encoded']))
    columns = 'encoded'
  }
  nodes.push(node('Sub', [columns, 'mean'], ['centered']))
  nodes.push(node('Div', ['centered', 'std'], ['standardized']))
  let h = 'standardized'
  let width = m
  net.layers.forEach((layer, i) => {
    if (layer.getClassName() !== 'Dense') {
      throw new UnsupportedLayerError(
        `Layer ${i} is a ${layer.getClassName()}; only Dense layers export to ONNX.`,
      )
    }
    const activation = String((layer.getConfig() as { activation?: string }).activation ?? 'linear')
    if (!(activation in ACTIVATIONS)) {
      throw new UnsupportedLayerError(
        `Layer ${i} uses activation '${activation}', which the exporter lacks.`,
        {
          metaMessages: ['Use linear, relu or tanh.'],
        },
      )
    }
    const [kernel, bias] = layer.getWeights()
    const units = kernel.shape[1] as number
    inits.push(tensorInitializer(`W${i}`, 'float32', [width, units], kernel.dataSync() as Float32Array))
    inits.push(tensorInitializer(`b${i}`, 'float32', [units], bias.dataSync() as Float32Array))
    nodes.push(node('MatMul', [h, `W${i}`], [`mm${i}`]))
    nodes.push(node('Add', [`mm${i}`, `b${i}`], [`z${i}`]))
    h = `z${i}`
    const op = ACTIVATIONS[activation]
    if (op) {
      nodes.push(node(op, [h], [`a${i}`]))
      h = `a${i}`
    }
    width = units
  })
  nodes.push(node('Softmax', [h], ['probabilities'], { axis: -1 }))
  nodes.push(node('ArgMax', ['probabilities'], ['label'], { axis: 1, keepdims: 0 }))
  return buildModel({
    nodes,
    initializers: inits,
    inputs: [valueInfo('features', 'float32', ['N', pre.inputDim])],
    outputs: [valueInfo('probabilities', 'float32', ['N', width]), valueInfo('label', 'int64', ['N'])],
    name: 'mutirao-classifier',
    docString: options.classes ? JSON.stringify({ classes: options.classes }) : undefined,
  })
}
