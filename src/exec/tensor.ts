/**
 * Tensors as they travel and rest: raw little-endian bytes, row-major, with dtype and dims.
 * Never JSON arrays of numbers on the wire.
 */
export const DTYPES = [
  'float32',
  'float64',
  'float16',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'bool',
] as const

/** An ONNX tensor element type that Mutirão carries. */
export type DType = (typeof DTYPES)[number]

/** Bytes per element of each dtype. */
export const DTYPE_BYTES: Record<DType, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  uint64: 8,
  bool: 1,
}

/** A tensor: dtype, dims and its raw little-endian row-major bytes. */
export interface Tensor {
  dtype: DType
  dims: number[]
  data: Uint8Array
}

/** Named tensors, as fed to or produced by a model. */
export type TensorMap = Record<string, Tensor>

/** Bytes of data of every tensor of `map` together. */
export function totalBytes(map: TensorMap): number {
  let n = 0
  for (const t of Object.values(map)) n += t.data.byteLength
  return n
}
