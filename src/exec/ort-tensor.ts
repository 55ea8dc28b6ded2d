import * as ort from 'onnxruntime-node'
import { InvalidTensorError } from './errors.js'
import { DTYPE_BYTES, DTYPES, type DType, type Tensor, type TensorMap } from './tensor.js'
import { expectedBytes } from './tensor-codec.js'

type TypedArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): ArrayBufferView }

const VIEW: Record<DType, TypedArrayCtor> = {
  float32: Float32Array,
  float64: Float64Array,
  float16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
}

/**
 * An onnxruntime tensor over a {@link Tensor}'s bytes: a view when the bytes are aligned for the dtype,
 * else a copy. float16 travels as raw Uint16Array bits, int64/uint64 as BigInt64Array/BigUint64Array,
 * bool as Uint8Array.
 * @throws InvalidTensorError when the byte count does not match dtype and dims.
 */
export function toOrtTensor(t: Tensor): ort.Tensor {
  if (t.data.byteLength !== expectedBytes(t)) {
    throw new InvalidTensorError(
      `tensor has ${t.data.byteLength} bytes but ${t.dtype}[${t.dims}] needs ${expectedBytes(t)}`,
    )
  }
  const size = DTYPE_BYTES[t.dtype]
  // new Uint8Array(view) copies (Buffer#slice would return a view at the same misaligned offset)
  const bytes = t.data.byteOffset % size === 0 ? t.data : new Uint8Array(t.data)
  const data = new VIEW[t.dtype](bytes.buffer, bytes.byteOffset, bytes.byteLength / size)
  // biome-ignore lint/suspicious/noExplicitAny: ort's overloads pair each type string with its array type
  return new ort.Tensor(t.dtype, data as any, t.dims)
}

/**
 * A {@link Tensor} over an onnxruntime CPU tensor's data (a view, no copy).
 * @throws InvalidTensorError for element types Mutirão does not carry (string, bfloat16, …).
 */
export function fromOrtTensor(t: ort.Tensor): Tensor {
  const dtype = t.type as DType
  if (!DTYPES.includes(dtype))
    throw new InvalidTensorError(`onnxruntime tensor type '${t.type}' is not supported`)
  const src = t.data as ArrayBufferView
  return { dtype, dims: [...t.dims], data: new Uint8Array(src.buffer, src.byteOffset, src.byteLength) }
}

/** {@link toOrtTensor} over every tensor of a map. */
export function toOrtFeeds(map: TensorMap): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {}
  for (const [name, t] of Object.entries(map)) feeds[name] = toOrtTensor(t)
  return feeds
}

/** {@link fromOrtTensor} over every tensor of an onnxruntime result. */
export function fromOrtResults(results: Record<string, ort.Tensor>): TensorMap {
  const out: TensorMap = {}
  for (const [name, t] of Object.entries(results)) out[name] = fromOrtTensor(t)
  return out
}
