import { createHash } from 'node:crypto'
import { type OnnxProto, onnx } from '../onnx/onnx-proto.js'
import { InputMismatchError, InvalidModelError } from './errors.js'
import { ONNX_DTYPE } from './graph-builder.js'
import type { DType, TensorMap } from './tensor.js'

/** A declared model input or output. A string dim is symbolic ('N', or '?' when unnamed). */
export interface ValueSpec {
  name: string
  dtype: DType
  dims: (number | string)[]
}

/** What any party can learn from a model's bytes alone. */
export interface ModelInfo {
  /** sha256 of the model bytes, lowercase hex: the model's content address. */
  hash: string
  /** Inputs the caller must feed (initializers excluded). */
  inputs: ValueSpec[]
  outputs: ValueSpec[]
  /** Version of the default ONNX operator set. */
  opset: number
  /** Nodes in the main graph. */
  nodeCount: number
  /** Work units per sample; see {@link modelCost}. */
  cost: number
}

const DTYPE_OF = new Map<number, DType>(Object.entries(ONNX_DTYPE).map(([d, code]) => [code, d as DType]))

type IntLike = number | { toNumber(): number }
const num = (x: IntLike | null | undefined): number =>
  x == null ? 0 : typeof x === 'number' ? x : x.toNumber()

/** Largest model accepted by {@link inspectModel} by default (1 GiB, below protobuf's 2 GiB ceiling). */
export const MAX_MODEL_BYTES = 1 << 30

/**
 * Parse an ONNX model's bytes and describe it: hash, inputs, outputs, opset, node count and cost.
 * @throws InvalidModelError when the bytes are not an ONNX model or use element types Mutirão lacks.
 */
export function inspectModel(bytes: Uint8Array, maxBytes = MAX_MODEL_BYTES): ModelInfo {
  if (bytes.byteLength > maxBytes)
    throw new InvalidModelError(`model of ${bytes.byteLength} bytes exceeds ${maxBytes}`)
  let model: OnnxProto.ModelProto
  try {
    model = onnx.ModelProto.decode(bytes)
  } catch (e) {
    throw invalid(`not an ONNX model: ${(e as Error).message}`, e)
  }
  const graph = model.graph
  if (!graph?.node?.length) throw invalid('not an ONNX model: it has no graph or no nodes')
  const opset = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')
  if (!opset) throw invalid('the model imports no default-domain opset')
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name))
  return {
    hash: createHash('sha256').update(bytes).digest('hex'),
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name)).map((v) => valueSpec(v, 'input')),
    outputs: (graph.output ?? []).map((v) => valueSpec(v, 'output')),
    opset: num(opset.version),
    nodeCount: graph.node.length,
    cost: modelCost(graph),
  }
}

function invalid(msg: string, cause?: unknown): InvalidModelError {
  return new InvalidModelError(msg, {
    cause,
    metaMessages: [
      'Give the bytes of an .onnx file (ONNX ModelProto), e.g. exported with torch.onnx or tf2onnx.',
    ],
  })
}

function valueSpec(v: OnnxProto.IValueInfoProto, role: string): ValueSpec {
  const t = v.type?.tensorType
  const dtype = DTYPE_OF.get(t?.elemType ?? -1)
  if (!v.name) throw invalid(`a graph ${role} has no name`)
  if (!t || !dtype) throw invalid(`${role} '${v.name}' is not a tensor of a supported element type`)
  const dims = (t.shape?.dim ?? []).map((d) =>
    d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue) : '?',
  )
  return { name: v.name, dtype, dims }
}

/**
 * Deterministic work units per sample, recomputable by anyone from the model bytes:
 * `cost = 1 + ceil(macs / 1000)` where `macs` sums, over every Gemm, MatMul, Conv and ConvTranspose node of
 * the main graph whose weight (second input) is an initializer, the element count of that weight
 * (= multiply-accumulates per input row for Gemm/MatMul, per output position for Conv).
 * Products of two activations and elementwise ops count nothing; Conv is not multiplied by its spatial size.
 */
export function modelCost(graph: OnnxProto.IGraphProto): number {
  const weights = new Map<string, number>()
  for (const t of graph.initializer ?? []) {
    weights.set(
      t.name ?? '',
      (t.dims ?? []).reduce<number>((a, d) => a * num(d), 1),
    )
  }
  let macs = 0
  for (const n of graph.node ?? []) {
    if (!['Gemm', 'MatMul', 'Conv', 'ConvTranspose'].includes(n.opType ?? '')) continue
    macs += weights.get(n.input?.[1] ?? '') ?? 0
  }
  return 1 + Math.ceil(macs / 1000)
}

/**
 * Check inputs against a model's declared inputs: every one present, none extra, dtype and rank equal,
 * fixed dims equal (symbolic dims accept any size).
 * @throws InputMismatchError naming the input and the expected versus given dtype/shape.
 */
export function checkInputs(info: Pick<ModelInfo, 'inputs'>, inputs: TensorMap): void {
  const hint = (s: ValueSpec) => `${s.dtype}[${s.dims.join(', ')}]`
  const given = new Set(Object.keys(inputs))
  for (const spec of info.inputs) {
    const t = inputs[spec.name]
    if (!t) {
      const unknown = [...given].filter((n) => !info.inputs.some((s) => s.name === n))
      const instead = unknown.length
        ? ` (given instead: ${unknown.map((n) => `'${n}'`).join(', ')}, not inputs of the model)`
        : ''
      throw new InputMismatchError(`input '${spec.name}' is missing${instead}`, {
        metaMessages: [`The model expects ${info.inputs.map((s) => `'${s.name}': ${hint(s)}`).join(', ')}.`],
      })
    }
    given.delete(spec.name)
    const mismatch =
      t.dtype !== spec.dtype ||
      t.dims.length !== spec.dims.length ||
      spec.dims.some((d, i) => typeof d === 'number' && d !== t.dims[i])
    if (mismatch) {
      throw new InputMismatchError(
        `input '${spec.name}' expects ${hint(spec)}, got ${t.dtype}[${t.dims.join(', ')}]`,
        {
          metaMessages: ['String dims are symbolic and accept any size; all others must match exactly.'],
        },
      )
    }
  }
  if (given.size > 0) {
    throw new InputMismatchError(`input '${[...given][0]}' is not an input of the model`, {
      metaMessages: [`The model's inputs are ${info.inputs.map((s) => `'${s.name}'`).join(', ')}.`],
    })
  }
}
