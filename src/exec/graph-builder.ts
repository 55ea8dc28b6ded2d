import { MutiraoError } from '../errors.js'
import { type OnnxProto, onnx } from '../onnx/onnx-proto.js'
import type { DType, Tensor } from './tensor.js'
import { type ElementValue, tensorFromValues } from './tensor-values.js'

/** Building an ONNX graph failed: a dangling input name, a duplicate output, a bad attribute. */
export class GraphBuildError extends MutiraoError {
  override name = 'GraphBuildError'
}

/** ONNX TensorProto.DataType code of each Mutirão dtype. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
}

/** Explicit attribute values, for when a plain JS number or array would be read as the wrong type. */
export type TypedAttr =
  | { type: 'float'; value: number }
  | { type: 'floats'; value: number[] }
  | { type: 'int'; value: number }
  | { type: 'ints'; value: number[] }
  | { type: 'tensor'; value: OnnxProto.ITensorProto }

/**
 * A node attribute. A number is an INT when it is an integer and a FLOAT otherwise (likewise arrays:
 * INTS when all are integers); use {@link float}/{@link floats} for whole-valued floats such as `alpha: 1`.
 */
export type AttrValue = number | string | number[] | string[] | TypedAttr

/** A FLOAT attribute, even for whole values (e.g. Gemm `alpha: float(1)`). */
export const float = (value: number): TypedAttr => ({ type: 'float', value })
/** A FLOATS attribute, even for whole values. */
export const floats = (value: number[]): TypedAttr => ({ type: 'floats', value })
/** An INTS attribute, even when empty. */
export const ints = (value: number[]): TypedAttr => ({ type: 'ints', value })
/** A TENSOR attribute (e.g. Constant `value`). */
export const tensorAttr = (value: OnnxProto.ITensorProto): TypedAttr => ({ type: 'tensor', value })

/**
 * A constant tensor (initializer or Constant value) from JS values, stored as raw little-endian bytes.
 * @example tensorInitializer('W', 'float32', [30, 16], weights)
 */
export function tensorInitializer(
  name: string,
  dtype: DType,
  dims: readonly number[],
  values: ArrayLike<ElementValue>,
): OnnxProto.ITensorProto {
  return initializerFromTensor(name, tensorFromValues(dtype, dims, values))
}

/** A constant tensor from a {@link Tensor} whose bytes are already raw little-endian. */
export function initializerFromTensor(name: string, t: Tensor): OnnxProto.ITensorProto {
  return { name, dataType: ONNX_DTYPE[t.dtype], dims: [...t.dims], rawData: t.data }
}

/**
 * A graph node.
 * @example node('Gemm', ['x', 'W', 'b'], ['h'], { transB: 0, alpha: float(1) })
 */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  options: { name?: string; domain?: string } = {},
): OnnxProto.INodeProto {
  const attribute = Object.entries(attrs).map(([name, v]) => attributeProto(name, v))
  return { opType, input: inputs, output: outputs, attribute, name: options.name, domain: options.domain }
}

function attributeProto(name: string, v: AttrValue): OnnxProto.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v }
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) {
      return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) }
    }
    if (v.every((x) => typeof x === 'number')) {
      const nums = v as number[]
      return nums.every(Number.isInteger)
        ? { name, type: T.INTS, ints: nums }
        : { name, type: T.FLOATS, floats: nums }
    }
    throw new GraphBuildError(`attribute '${name}' mixes strings and numbers`)
  }
  switch (v.type) {
    case 'float':
      return { name, type: T.FLOAT, f: v.value }
    case 'floats':
      return { name, type: T.FLOATS, floats: v.value }
    case 'int':
      return { name, type: T.INT, i: v.value }
    case 'ints':
      return { name, type: T.INTS, ints: v.value }
    case 'tensor':
      return { name, type: T.TENSOR, t: v.value }
  }
}

/**
 * A typed graph input or output. A string dim is symbolic (e.g. 'N' for a dynamic batch).
 * @example valueInfo('x', 'float32', ['N', 30])
 */
export function valueInfo(
  name: string,
  dtype: DType,
  dims: readonly (number | string)[],
): OnnxProto.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }))
  return { name, type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: { dim } } } }
}

/** What {@link buildModel} assembles into a ModelProto. */
export interface ModelSpec {
  nodes: OnnxProto.INodeProto[]
  initializers?: OnnxProto.ITensorProto[]
  inputs: OnnxProto.IValueInfoProto[]
  outputs: OnnxProto.IValueInfoProto[]
  /** Default-domain opset version (default 17). */
  opset?: number
  /** Graph name (default 'mutirao'). */
  name?: string
  /** ONNX IR version (default 8, which onnxruntime ≥ 1.10 reads). */
  irVersion?: number
  /** Free text stored as the model's doc string. */
  docString?: string
}

/**
 * Assemble and serialise an ONNX model. Checks that every node input is a graph input, an initializer
 * or an earlier node's output (nodes must be in topological order) and that every graph output is produced.
 * @throws GraphBuildError naming the dangling or duplicate value.
 */
export function buildModel(spec: ModelSpec): Uint8Array {
  checkGraph(spec)
  const model = onnx.ModelProto.create({
    irVersion: spec.irVersion ?? 8,
    producerName: 'mutirao',
    producerVersion: '0.1.0',
    docString: spec.docString,
    opsetImport: [{ domain: '', version: spec.opset ?? 17 }],
    graph: {
      name: spec.name ?? 'mutirao',
      node: spec.nodes,
      initializer: spec.initializers ?? [],
      input: spec.inputs,
      output: spec.outputs,
    },
  })
  return onnx.ModelProto.encode(model).finish()
}

function checkGraph(spec: ModelSpec): void {
  const known = new Set<string>()
  const define = (name: string | null | undefined, what: string) => {
    if (!name) throw new GraphBuildError(`${what} has no name`)
    if (known.has(name)) throw new GraphBuildError(`value '${name}' is defined twice (${what})`)
    known.add(name)
  }
  for (const i of spec.inputs) define(i.name, 'graph input')
  for (const t of spec.initializers ?? []) define(t.name, 'initializer')
  for (const [k, n] of spec.nodes.entries()) {
    for (const input of n.input ?? []) {
      if (input !== '' && !known.has(input)) {
        throw new GraphBuildError(
          `node ${k} (${n.opType}) reads '${input}', which is not defined before it`,
          {
            metaMessages: ['List nodes in topological order; name every input, initializer and node output.'],
          },
        )
      }
    }
    for (const output of n.output ?? [])
      if (output !== '') define(output, `output of node ${k} (${n.opType})`)
  }
  for (const o of spec.outputs) {
    if (!o.name || !known.has(o.name)) throw new GraphBuildError(`graph output '${o.name}' is never produced`)
  }
}
