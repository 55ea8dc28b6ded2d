import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import type { DType, TensorMap } from '../exec/tensor.js'

/** Absolute and relative tolerance: `|a - b| <= abs + rel * max(|a|, |b|)` (symmetric). */
export interface Tolerance {
  abs: number
  rel: number
}

/**
 * Default tolerances per float dtype. Chosen to pass honest runs of the same ONNX model across CPUs
 * (AVX2 / AVX-512 / NEON kernels reorder sums and fuse multiply-adds: relative differences of 1e-7..1e-5
 * in float32 for accumulations of up to ~10^4 terms) and GPU execution providers without TF32, while
 * failing any output that was not computed (random or constant output differs by far more).
 * Jobs with long accumulations, float16 or TF32 on GPUs should pass looser per-output values.
 */
export const DEFAULT_TOLERANCE: Record<'float16' | 'float32' | 'float64', Tolerance> = {
  float16: { abs: 1e-3, rel: 1e-2 },
  float32: { abs: 1e-5, rel: 1e-4 },
  float64: { abs: 1e-10, rel: 1e-8 },
}

/** How two results of the same task are compared. */
export type ComparisonSpec =
  | { mode: 'exact' }
  | {
      mode: 'tolerance'
      /** Overrides of {@link DEFAULT_TOLERANCE} for every float output. */
      default?: Partial<Tolerance>
      /** Per-output overrides, by output name. */
      outputs?: Record<string, Partial<Tolerance>>
    }

/** The result of comparing two outputs, with the worst deviation seen (for logs and disputes). */
export interface Comparison {
  equal: boolean
  /** Why they differ (first difference found). */
  reason?: string
  maxAbsError: number
  maxRelError: number
}

/** sha256 of output bytes, hex — the value signed and compared in `exact` mode. */
export function outputHash(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes))
}

/** Byte-for-byte equality. */
export function compareExact(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1
  const e = (h >> 10) & 0x1f
  const f = h & 0x3ff
  if (e === 0) return s * 2 ** -14 * (f / 1024)
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY
  return s * 2 ** (e - 15) * (1 + f / 1024)
}

function reader(dtype: 'float16' | 'float32' | 'float64', bytes: Uint8Array): (i: number) => number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (dtype === 'float64') return (i) => v.getFloat64(i * 8, true)
  if (dtype === 'float32') return (i) => v.getFloat32(i * 4, true)
  return (i) => halfToFloat(v.getUint16(i * 2, true))
}

/**
 * Compares raw little-endian float arrays element by element with a tolerance. NaN equals only NaN;
 * an infinity equals only the same infinity.
 */
export function compareFloats(
  a: Uint8Array,
  b: Uint8Array,
  dtype: 'float16' | 'float32' | 'float64',
  tol: Tolerance = DEFAULT_TOLERANCE[dtype],
): Comparison {
  const size = dtype === 'float64' ? 8 : dtype === 'float32' ? 4 : 2
  const none = { maxAbsError: 0, maxRelError: 0 }
  if (a.length !== b.length) return { equal: false, reason: `length ${a.length} != ${b.length}`, ...none }
  if (a.length % size !== 0)
    return { equal: false, reason: `length ${a.length} is not a multiple of ${size}`, ...none }
  const ra = reader(dtype, a)
  const rb = reader(dtype, b)
  let maxAbsError = 0
  let maxRelError = 0
  let reason: string | undefined
  for (let i = 0; i < a.length / size; i++) {
    const x = ra(i)
    const y = rb(i)
    if (Number.isNaN(x) || Number.isNaN(y) || !Number.isFinite(x) || !Number.isFinite(y)) {
      if (!(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)))) reason ??= `element ${i}: ${x} vs ${y}`
      continue
    }
    const d = Math.abs(x - y)
    const scale = Math.max(Math.abs(x), Math.abs(y))
    maxAbsError = Math.max(maxAbsError, d)
    if (scale > 0) maxRelError = Math.max(maxRelError, d / scale)
    if (d > tol.abs + tol.rel * scale) reason ??= `element ${i}: ${x} vs ${y} (|d| = ${d})`
  }
  return { equal: reason === undefined, reason, maxAbsError, maxRelError }
}

const isFloat = (d: DType): d is 'float16' | 'float32' | 'float64' =>
  d === 'float16' || d === 'float32' || d === 'float64'

/**
 * Compares two named-tensor results under a spec: same names, dtypes and dims; float tensors within
 * tolerance (in `tolerance` mode), everything else byte-exact.
 */
export function compareTensors(a: TensorMap, b: TensorMap, spec: ComparisonSpec): Comparison {
  const result: Comparison = { equal: true, maxAbsError: 0, maxRelError: 0 }
  const names = Object.keys(a).sort()
  const other = Object.keys(b).sort()
  if (names.join('\0') !== other.join('\0')) {
    return { ...result, equal: false, reason: `outputs [${names}] vs [${other}]` }
  }
  for (const name of names) {
    const x = a[name]
    const y = b[name]
    if (x.dtype !== y.dtype || x.dims.join(',') !== y.dims.join(',')) {
      return {
        ...result,
        equal: false,
        reason: `output '${name}': ${x.dtype}[${x.dims}] vs ${y.dtype}[${y.dims}]`,
      }
    }
    if (spec.mode === 'tolerance' && isFloat(x.dtype)) {
      const tol = { ...DEFAULT_TOLERANCE[x.dtype], ...spec.default, ...spec.outputs?.[name] }
      const c = compareFloats(x.data, y.data, x.dtype, tol)
      result.maxAbsError = Math.max(result.maxAbsError, c.maxAbsError)
      result.maxRelError = Math.max(result.maxRelError, c.maxRelError)
      if (!c.equal && result.equal)
        Object.assign(result, { equal: false, reason: `output '${name}' ${c.reason}` })
    } else if (!compareExact(x.data, y.data) && result.equal) {
      Object.assign(result, { equal: false, reason: `output '${name}' differs` })
    }
  }
  return result
}
