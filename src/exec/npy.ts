import { InvalidTensorError } from './errors.js'
import { DTYPE_BYTES, type DType, type Tensor } from './tensor.js'
import { expectedBytes } from './tensor-codec.js'

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59] // \x93NUMPY
const MAX_HEADER = 65536

/** NumPy `descr` of each dtype (little-endian; `|` for single bytes). */
export const NPY_DESCR: Record<DType, string> = {
  float32: '<f4',
  float64: '<f8',
  float16: '<f2',
  int8: '|i1',
  uint8: '|u1',
  int16: '<i2',
  uint16: '<u2',
  int32: '<i4',
  uint32: '<u4',
  int64: '<i8',
  uint64: '<u8',
  bool: '|b1',
}

const BY_CODE = new Map<string, DType>(
  Object.entries(NPY_DESCR).map(([d, descr]) => [descr.slice(1), d as DType]),
)

/** Throw the InvalidTensorError of a malformed `.npy` (`msg` says what is wrong). */
export function bad(msg: string): never {
  throw new InvalidTensorError(`invalid .npy: ${msg}`, {
    metaMessages: ['Save with numpy.save(path, array) from a little-endian, C-ordered numeric array.'],
  })
}

function parseDescr(descr: string): DType {
  const order = descr[0]
  const dtype = BY_CODE.get(descr.slice(1))
  if (!dtype) bad(`unsupported dtype '${descr}'`)
  if (order === '>' && DTYPE_BYTES[dtype] > 1) bad(`big-endian dtype '${descr}' is not supported`)
  if (!['<', '|', '=', '>'].includes(order)) bad(`bad byte-order mark in '${descr}'`)
  return dtype
}

/** What a `.npy` file's header says: the dtype, the dims, and where the data starts. */
export interface NpyHeader extends Pick<Tensor, 'dtype' | 'dims'> {
  dataStart: number
}

/** Most bytes before a `.npy` file's data (preamble and header): read that much to parse its header. */
export const NPY_MAX_HEAD = 12 + MAX_HEADER

/**
 * Parse the header of a NumPy `.npy` file (format v1, v2 or v3; little-endian; C order) from its first
 * bytes, and check that a file of `fileBytes` holds exactly the data it declares.
 * @throws InvalidTensorError naming what is wrong: magic, version, header, dtype, order, byte count.
 */
export function readNpyHeader(bytes: Uint8Array, fileBytes = bytes.byteLength): NpyHeader {
  if (bytes.byteLength < 10 || MAGIC.some((b, i) => bytes[i] !== b)) bad('missing \\x93NUMPY magic')
  const major = bytes[6]
  if (major < 1 || major > 3) bad(`unsupported format version ${major}.${bytes[7]}`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerStart = major === 1 ? 10 : 12
  if (bytes.byteLength < headerStart) bad('truncated preamble')
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true)
  if (headerLen > MAX_HEADER) bad(`header of ${headerLen} bytes exceeds ${MAX_HEADER}`)
  const dataStart = headerStart + headerLen
  if (dataStart > bytes.byteLength) bad('truncated header')
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  )
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? bad(`no 'descr' in header ${header.trim()}`)
  const fortran =
    /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1] ?? bad(`no 'fortran_order' in header`)
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1] ?? bad(`no 'shape' in header`)
  if (fortran === 'True') bad('Fortran-ordered arrays are not supported (use numpy.ascontiguousarray)')
  const dtype = parseDescr(descr)
  const parts = shapeText.split(',').map((s) => s.trim())
  if (parts.at(-1) === '') parts.pop()
  const dims = parts.map((s) => {
    if (!/^\d{1,10}$/.test(s)) bad(`bad dim '${s}' in shape (${shapeText})`)
    return Number(s)
  })
  if (dims.length > 32) bad(`rank ${dims.length} is too high`)
  const size = expectedBytes({ dtype, dims })
  if (fileBytes - dataStart !== size) {
    bad(`${descr}[${dims}] needs ${size} data bytes, file has ${fileBytes - dataStart}`)
  }
  return { dtype, dims, dataStart }
}

/**
 * Parse a NumPy `.npy` file (see {@link readNpyHeader}). The tensor's data is a view into `bytes` (no copy).
 * @throws InvalidTensorError naming what is wrong: magic, version, header, dtype, order, byte count.
 */
export function readNpy(bytes: Uint8Array): Tensor {
  const { dtype, dims, dataStart } = readNpyHeader(bytes)
  return { dtype, dims, data: bytes.subarray(dataStart) }
}

/** Serialise a tensor as a `.npy` file (v1, or v2 when the header needs it), data 64-byte aligned. */
export function writeNpy(t: Tensor): Uint8Array {
  if (t.data.byteLength !== expectedBytes(t)) {
    throw new InvalidTensorError(
      `tensor has ${t.data.byteLength} bytes but ${t.dtype}[${t.dims}] needs ${expectedBytes(t)}`,
    )
  }
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`
  let dict = `{'descr': '${NPY_DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`
  const v2 = dict.length + 11 > 65535
  const pre = v2 ? 12 : 10
  dict += ' '.repeat((64 - ((pre + dict.length + 1) % 64)) % 64) + '\n'
  const out = new Uint8Array(pre + dict.length + t.data.byteLength)
  out.set(MAGIC)
  out[6] = v2 ? 2 : 1
  const view = new DataView(out.buffer)
  if (v2) view.setUint32(8, dict.length, true)
  else view.setUint16(8, dict.length, true)
  out.set(new TextEncoder().encode(dict), pre)
  out.set(t.data, pre + dict.length)
  return out
}
