import { InvalidTensorError } from './errors.js'
import type { Tensor, TensorMap } from './tensor.js'
import { tensorToValues } from './tensor-values.js'

function rowBytes(t: Tensor): number {
  return t.dims[0] === 0 ? 0 : t.data.byteLength / t.dims[0]
}

/**
 * The batch size shared by every tensor of a map (their dim 0).
 * @throws InvalidTensorError when the map is empty, a tensor is a scalar, or dim 0 differs.
 */
export function batchSize(map: TensorMap): number {
  let n: number | undefined
  for (const [name, t] of Object.entries(map)) {
    if (t.dims.length === 0) throw new InvalidTensorError(`tensor '${name}' is a scalar and has no batch dim`)
    if (n === undefined) n = t.dims[0]
    else if (t.dims[0] !== n) {
      throw new InvalidTensorError(`tensor '${name}' has batch ${t.dims[0]}, others have ${n}`, {
        metaMessages: ['All tensors of a batched map share dim 0.'],
      })
    }
  }
  if (n === undefined) throw new InvalidTensorError('tensor map is empty: no batch size')
  return n
}

/**
 * Rows [start, end) of every tensor along dim 0. The slices are views (no copy).
 * @throws InvalidTensorError when the range is outside the batch.
 */
export function sliceBatch(map: TensorMap, start: number, end: number): TensorMap {
  const n = batchSize(map)
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > n) {
    throw new InvalidTensorError(`batch slice [${start}, ${end}) is outside [0, ${n})`)
  }
  const out: TensorMap = {}
  for (const [name, t] of Object.entries(map)) {
    const row = rowBytes(t)
    out[name] = {
      dtype: t.dtype,
      dims: [end - start, ...t.dims.slice(1)],
      data: t.data.subarray(start * row, end * row),
    }
  }
  return out
}

/**
 * Concatenate maps along dim 0 (the inverse of {@link sliceBatch}).
 * @throws InvalidTensorError when parts differ in names, dtypes or non-batch dims.
 */
export function concatBatch(parts: TensorMap[]): TensorMap {
  if (parts.length === 0) throw new InvalidTensorError('concatBatch needs at least one part')
  if (parts.length === 1) return parts[0]
  const names = Object.keys(parts[0])
  const out: TensorMap = {}
  for (const name of names) {
    const first = parts[0][name]
    if (first.dims.length === 0)
      throw new InvalidTensorError(`tensor '${name}' is a scalar and has no batch dim`)
    let rows = 0
    let bytes = 0
    for (const [k, part] of parts.entries()) {
      const t = part[name]
      if (!t) throw new InvalidTensorError(`part ${k} lacks tensor '${name}'`)
      if (
        t.dtype !== first.dtype ||
        t.dims.length !== first.dims.length ||
        t.dims.some((d, i) => i > 0 && d !== first.dims[i])
      ) {
        throw new InvalidTensorError(
          `part ${k} tensor '${name}' is ${t.dtype}[${t.dims}], part 0 is ${first.dtype}[${first.dims}]`,
        )
      }
      rows += t.dims[0]
      bytes += t.data.byteLength
    }
    const data = new Uint8Array(bytes)
    let p = 0
    for (const part of parts) {
      data.set(part[name].data, p)
      p += part[name].data.byteLength
    }
    out[name] = { dtype: first.dtype, dims: [rows, ...first.dims.slice(1)], data }
  }
  for (const [k, part] of parts.entries()) {
    if (Object.keys(part).length !== names.length)
      throw new InvalidTensorError(`part ${k} has other tensor names`)
  }
  return out
}

/**
 * Largest absolute element difference between two tensors of the same dtype and dims (any numeric dtype;
 * bool as 0/1). NaN against NaN counts as equal, NaN against a number as Infinity.
 * @throws InvalidTensorError when dtypes or dims differ.
 */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  if (a.dtype !== b.dtype || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    throw new InvalidTensorError(`cannot compare ${a.dtype}[${a.dims}] with ${b.dtype}[${b.dims}]`)
  }
  const x = tensorToValues(a)
  const y = tensorToValues(b)
  let max = 0
  for (let i = 0; i < x.length; i++) {
    const u = Number(x[i])
    const v = Number(y[i])
    if (Number.isNaN(u) || Number.isNaN(v)) {
      if (Number.isNaN(u) !== Number.isNaN(v)) return Number.POSITIVE_INFINITY
      continue
    }
    const d = typeof x[i] === 'bigint' ? Number((x[i] as bigint) - (y[i] as bigint)) : u - v
    if (u !== v) max = Math.max(max, Math.abs(d))
  }
  return max
}

/**
 * {@link maxAbsDiff} over two maps with the same names; the largest over all tensors.
 * @throws InvalidTensorError when names, dtypes or dims differ.
 */
export function maxAbsDiffMap(a: TensorMap, b: TensorMap): number {
  const names = Object.keys(a)
  if (names.length !== Object.keys(b).length || names.some((n) => !b[n])) {
    throw new InvalidTensorError(`cannot compare maps [${names}] and [${Object.keys(b)}]`)
  }
  return Math.max(0, ...names.map((n) => maxAbsDiff(a[n], b[n])))
}
