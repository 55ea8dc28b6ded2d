import { concatBytes } from './bytes.js'
import { InvalidTensorError } from './errors.js'
import { DTYPE_BYTES, DTYPES, type Tensor, type TensorMap } from './tensor.js'

export { batchSize, concatBatch, maxAbsDiff, maxAbsDiffMap, sliceBatch } from './tensor-batch.js'

/**
 * Binary tensor-map format (all integers little-endian):
 *
 * ```
 * 'MTNS' | version u8 (=1) | 3 zero bytes | count u32
 * per tensor: nameLen u16 | name utf-8 | dtype u8 (index in DTYPES) | rank u8 | dims u32 × rank
 * zero padding to a multiple of 8
 * per tensor, in header order: data bytes, zero-padded to a multiple of 8
 * ```
 * Data starts 8-byte aligned, so typed-array views over a decoded buffer need no copy.
 */
const MAGIC = 0x534e544d // 'MTNS' read as u32 LE
const VERSION = 1

/** Limits applied by {@link decodeTensors} before any allocation. */
export interface TensorLimits {
  /** Most tensors in one map (default 256). */
  maxTensors?: number
  /** Highest rank (default 8). */
  maxRank?: number
  /** Most data bytes in all tensors together (default 256 MiB). */
  maxTotalBytes?: number
  /** Longest name in UTF-8 bytes (default 256). */
  maxNameBytes?: number
}

/** Default {@link TensorLimits}. */
export const DEFAULT_TENSOR_LIMITS: Required<TensorLimits> = {
  maxTensors: 256,
  maxRank: 8,
  maxTotalBytes: 256 * 1024 * 1024,
  maxNameBytes: 256,
}

const enc = new TextEncoder()
const dec = new TextDecoder('utf-8', { fatal: true })
const pad8 = (n: number) => (n + 7) & ~7

/** Bytes a tensor's data must have for its dtype and dims. */
export function expectedBytes(t: Pick<Tensor, 'dtype' | 'dims'>): number {
  let n = DTYPE_BYTES[t.dtype]
  for (const d of t.dims) n *= d
  return n
}

/**
 * Serialise a tensor map into the compact binary format above.
 * @throws InvalidTensorError when a tensor's byte count does not match its dims and dtype.
 */
export function encodeTensors(map: TensorMap): Uint8Array {
  return concatBytes(encodeTensorParts(map))
}

/**
 * The bytes of {@link encodeTensors} as consecutive parts, without copying tensor data: a new header
 * (padded), then each tensor's `data` as given (a view, e.g. from sliceBatch) and its zero padding. For
 * writers and hashes that take parts (encodeFrame, sha256Hex): the data must not change until they are done.
 * The data may also be anything with a byte length that stands for the bytes (a range of a file, say): it
 * is passed through as its part.
 * @throws InvalidTensorError when a tensor's byte count does not match its dims and dtype.
 */
export function encodeTensorParts<D extends { readonly byteLength: number } = Uint8Array>(
  map: Readonly<Record<string, Pick<Tensor, 'dtype' | 'dims'> & { data: D }>>,
): (Uint8Array | D)[] {
  const entries = Object.entries(map)
  const names = entries.map(([name]) => enc.encode(name))
  let header = 12
  for (const [k, [name, t]] of entries.entries()) {
    const dtype = DTYPES.indexOf(t.dtype)
    if (dtype < 0) throw new InvalidTensorError(`tensor '${name}' has unknown dtype '${t.dtype}'`)
    if (t.dims.length > 255) throw new InvalidTensorError(`tensor '${name}' has rank ${t.dims.length} > 255`)
    for (const d of t.dims) {
      if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
        throw new InvalidTensorError(`tensor '${name}' has invalid dim ${d}`)
      }
    }
    if (t.data.byteLength !== expectedBytes(t)) {
      throw new InvalidTensorError(
        `tensor '${name}' has ${t.data.byteLength} bytes but ${t.dtype}[${t.dims}] needs ${expectedBytes(t)}`,
      )
    }
    if (names[k].length > 0xffff)
      throw new InvalidTensorError(`tensor name '${name.slice(0, 40)}…' is too long`)
    header += 2 + names[k].length + 2 + 4 * t.dims.length
  }
  const head = new Uint8Array(pad8(header))
  const view = new DataView(head.buffer)
  view.setUint32(0, MAGIC, true)
  view.setUint8(4, VERSION)
  view.setUint32(8, entries.length, true)
  let p = 12
  for (const [k, [, t]] of entries.entries()) {
    view.setUint16(p, names[k].length, true)
    head.set(names[k], p + 2)
    p += 2 + names[k].length
    view.setUint8(p, DTYPES.indexOf(t.dtype))
    view.setUint8(p + 1, t.dims.length)
    p += 2
    for (const d of t.dims) {
      view.setUint32(p, d, true)
      p += 4
    }
  }
  const parts: (Uint8Array | D)[] = [head]
  for (const [, t] of entries) {
    if (t.data.byteLength > 0) parts.push(t.data)
    const pad = pad8(t.data.byteLength) - t.data.byteLength
    if (pad > 0) parts.push(new Uint8Array(pad))
  }
  return parts
}

/**
 * Parse and validate bytes from {@link encodeTensors}. The returned tensors' `data` are views into
 * `bytes` (no copy): copy them if `bytes` will be reused.
 * @throws InvalidTensorError naming what is wrong: magic, version, a limit, a name, a dtype, a byte count.
 */
export function decodeTensors(bytes: Uint8Array, limits: TensorLimits = {}): TensorMap {
  const lim = { ...DEFAULT_TENSOR_LIMITS, ...limits }
  const bad = (msg: string): never => {
    throw new InvalidTensorError(`invalid tensor map: ${msg}`, {
      metaMessages: ['The sender must encode tensors with encodeTensors and stay within the limits.'],
    })
  }
  if (bytes.byteLength < 12) bad(`${bytes.byteLength} bytes is shorter than the 12-byte header`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(0, true) !== MAGIC) bad('wrong magic (not an MTNS tensor map)')
  if (view.getUint8(4) !== VERSION) bad(`unsupported version ${view.getUint8(4)}`)
  const count = view.getUint32(8, true)
  if (count > lim.maxTensors) bad(`${count} tensors exceed the limit of ${lim.maxTensors}`)
  const metas: { name: string; dtype: Tensor['dtype']; dims: number[]; size: number }[] = []
  const seen = new Set<string>()
  let p = 12
  let totalBytes = 0
  const need = (n: number) => {
    if (p + n > bytes.byteLength) bad(`header truncated at byte ${p}`)
  }
  for (let k = 0; k < count; k++) {
    need(2)
    const nameLen = view.getUint16(p, true)
    if (nameLen === 0 || nameLen > lim.maxNameBytes) bad(`tensor ${k} name length ${nameLen} is out of range`)
    need(2 + nameLen + 2)
    let name = ''
    try {
      name = dec.decode(bytes.subarray(p + 2, p + 2 + nameLen))
    } catch {
      bad(`tensor ${k} name is not valid UTF-8`)
    }
    if (seen.has(name) || name === '__proto__') bad(`tensor name '${name}' is repeated or reserved`)
    seen.add(name)
    p += 2 + nameLen
    const dtype = DTYPES[view.getUint8(p)]
    if (!dtype) bad(`tensor '${name}' has unknown dtype code ${view.getUint8(p)}`)
    const rank = view.getUint8(p + 1)
    if (rank > lim.maxRank) bad(`tensor '${name}' rank ${rank} exceeds the limit of ${lim.maxRank}`)
    p += 2
    need(4 * rank)
    const dims: number[] = []
    let size = DTYPE_BYTES[dtype]
    for (let r = 0; r < rank; r++) {
      const d = view.getUint32(p, true)
      p += 4
      dims.push(d)
      size *= d
      if (size > lim.maxTotalBytes)
        bad(`tensor '${name}' ${dtype}[${dims}…] exceeds ${lim.maxTotalBytes} bytes`)
    }
    totalBytes += size
    if (totalBytes > lim.maxTotalBytes) bad(`tensors exceed the limit of ${lim.maxTotalBytes} bytes in total`)
    metas.push({ name, dtype, dims, size })
  }
  p = pad8(p)
  let end = p
  for (const m of metas) end += pad8(m.size)
  if (end !== bytes.byteLength) bad(`expected ${end} bytes from the header, got ${bytes.byteLength}`)
  const out: TensorMap = {}
  for (const m of metas) {
    out[m.name] = { dtype: m.dtype, dims: m.dims, data: bytes.subarray(p, p + m.size) }
    p += pad8(m.size)
  }
  return out
}
