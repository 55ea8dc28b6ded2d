import { InvalidTensorError } from './errors.js'
import { DTYPE_BYTES, type Tensor, type TensorMap } from './tensor.js'
import { batchSize, concatBatch, sliceBatch } from './tensor-batch.js'

/** Where a tensor keeps its samples: an axis, or `broadcast` (one whole tensor shared by every sample). */
export type BatchAxis = number | 'broadcast'
/** The batch axis of each tensor of a map, by name; a name not listed is batched on axis 0. */
export type BatchAxes = Record<string, BatchAxis>

const axisOf = (axes: BatchAxes | undefined, name: string): BatchAxis => axes?.[name] ?? 0

/** Whether every tensor is batched on axis 0 (the fast path: slices are views). */
export const allOnAxisZero = (axes: BatchAxes | undefined): boolean =>
  !axes || Object.values(axes).every((a) => a === 0)

function checkAxis(name: string, t: Tensor, axis: number): void {
  if (!Number.isInteger(axis) || axis < 0 || axis >= t.dims.length)
    throw new InvalidTensorError(
      `tensor '${name}' has rank ${t.dims.length}: it has no batch axis ${axis}${t.dims.length === 0 ? ' (a scalar: mark it broadcast)' : ''}`,
    )
}

/**
 * The number of samples of a map: the size of each batched tensor's batch axis (they must agree);
 * 1 when every tensor is broadcast.
 * @throws InvalidTensorError when an axis is out of range or batched tensors disagree.
 */
export function batchSizeAlong(map: TensorMap, axes?: BatchAxes): number {
  if (allOnAxisZero(axes)) return batchSize(map)
  let n: number | undefined
  let first = ''
  for (const [name, t] of Object.entries(map)) {
    const axis = axisOf(axes, name)
    if (axis === 'broadcast') continue
    checkAxis(name, t, axis)
    if (n === undefined) {
      n = t.dims[axis]
      first = name
    } else if (t.dims[axis] !== n)
      throw new InvalidTensorError(
        `tensor '${name}' has ${t.dims[axis]} samples on axis ${axis}, '${first}' has ${n}`,
        { metaMessages: ['Every batched input holds the same samples; mark shared inputs broadcast.'] },
      )
  }
  if (Object.keys(map).length === 0) throw new InvalidTensorError('tensor map is empty: no batch size')
  return n ?? 1
}

/** Sizes of a tensor around `axis`: blocks before it, and bytes of one sample's slab after it. */
function layout(t: Tensor, axis: number) {
  const outer = t.dims.slice(0, axis).reduce((a, b) => a * b, 1)
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]
  return { outer, inner }
}

/**
 * Samples [start, end) of every batched tensor along its own axis; broadcast tensors are passed whole.
 * Axis 0 slices are views; other axes are copied.
 * @throws InvalidTensorError when the range is outside the batch.
 */
export function sliceAlong(map: TensorMap, start: number, end: number, axes?: BatchAxes): TensorMap {
  if (allOnAxisZero(axes)) return sliceBatch(map, start, end)
  const n = batchSizeAlong(map, axes)
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > n)
    throw new InvalidTensorError(`batch slice [${start}, ${end}) is outside [0, ${n})`)
  const out: TensorMap = {}
  for (const [name, t] of Object.entries(map)) {
    const axis = axisOf(axes, name)
    if (axis === 'broadcast') {
      out[name] = t
      continue
    }
    const dims = t.dims.map((d, i) => (i === axis ? end - start : d))
    if (axis === 0) {
      out[name] = { ...sliceBatch({ [name]: t }, start, end)[name], dims }
      continue
    }
    const { outer, inner } = layout(t, axis)
    const rows = end - start
    const data = new Uint8Array(outer * rows * inner)
    for (let o = 0; o < outer; o++) {
      const from = (o * t.dims[axis] + start) * inner
      data.set(t.data.subarray(from, from + rows * inner), o * rows * inner)
    }
    out[name] = { dtype: t.dtype, dims, data }
  }
  return out
}

/**
 * Join maps along each tensor's own batch axis (the inverse of {@link sliceAlong}); a broadcast tensor is
 * taken from the first part.
 * @throws InvalidTensorError when parts differ in names, dtypes or non-batch dims.
 */
export function concatAlong(parts: TensorMap[], axes?: BatchAxes): TensorMap {
  if (allOnAxisZero(axes)) return concatBatch(parts)
  if (parts.length === 0) throw new InvalidTensorError('concatAlong needs at least one part')
  const names = Object.keys(parts[0])
  const out: TensorMap = {}
  for (const name of names) {
    const axis = axisOf(axes, name)
    const first = parts[0][name]
    if (axis === 'broadcast') {
      out[name] = first
      continue
    }
    checkAxis(name, first, axis)
    let rows = 0
    for (const [k, part] of parts.entries()) {
      const t = part[name]
      if (
        !t ||
        t.dtype !== first.dtype ||
        t.dims.length !== first.dims.length ||
        t.dims.some((d, i) => i !== axis && d !== first.dims[i])
      )
        throw new InvalidTensorError(
          `part ${k} tensor '${name}' is ${t ? `${t.dtype}[${t.dims}]` : 'missing'}, part 0 is ${first.dtype}[${first.dims}]`,
        )
      rows += t.dims[axis]
    }
    const { outer, inner } = layout(first, axis)
    const data = new Uint8Array(outer * rows * inner)
    let offset = 0
    for (let o = 0; o < outer; o++)
      for (const part of parts) {
        const t = part[name]
        const block = t.dims[axis] * inner
        data.set(t.data.subarray(o * block, (o + 1) * block), offset)
        offset += block
      }
    out[name] = { dtype: first.dtype, dims: first.dims.map((d, i) => (i === axis ? rows : d)), data }
  }
  for (const [k, part] of parts.entries())
    if (Object.keys(part).length !== names.length)
      throw new InvalidTensorError(`part ${k} has other tensor names`)
  return out
}
