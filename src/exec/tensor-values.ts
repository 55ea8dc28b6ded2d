import { InvalidInputError } from '../errors.js'
import { DTYPE_BYTES, type DType, type Tensor } from './tensor.js'

/** A JS value of one tensor element: numbers for most dtypes, bigint for 64-bit ints, boolean for bool. */
export type ElementValue = number | bigint | boolean

/** Convert a float32/float64 number to IEEE 754 half-precision bits (round to nearest even). */
export function toFloat16Bits(value: number): number {
  const f32 = new Float32Array(1)
  const u32 = new Uint32Array(f32.buffer)
  f32[0] = value
  const x = u32[0]
  const sign = (x >>> 16) & 0x8000
  const exp = (x >>> 23) & 0xff
  let mant = x & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0)
  let e = exp - 127 + 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    if (e < -10) return sign
    mant |= 0x800000
    const shift = 14 - e
    let half = mant >>> shift
    const rem = mant & ((1 << shift) - 1)
    const mid = 1 << (shift - 1)
    if (rem > mid || (rem === mid && half & 1)) half++
    return sign | half
  }
  let half = (e << 10) | (mant >>> 13)
  const rem = mant & 0x1fff
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++
  if (half >= 0x7c00) e = 0x1f
  return sign | (e === 0x1f ? 0x7c00 : half)
}

/** Convert IEEE 754 half-precision bits to a number. */
export function fromFloat16Bits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1
  const exp = (bits >>> 10) & 0x1f
  const mant = bits & 0x3ff
  if (exp === 0) return sign * mant * 2 ** -24
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY
  return sign * (1 + mant / 1024) * 2 ** (exp - 15)
}

/** Number of elements for dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  let n = 1
  for (const d of dims) n *= d
  return n
}

/**
 * Build a tensor from JS element values (row-major). float16 values are numbers, converted to half bits;
 * int64/uint64 accept bigint or safe-integer numbers; bool accepts booleans or 0/1.
 * @throws InvalidInputError when the count does not match dims or a value does not fit the dtype.
 */
export function tensorFromValues(
  dtype: DType,
  dims: readonly number[],
  values: ArrayLike<ElementValue>,
): Tensor {
  const n = elementCount(dims)
  if (values.length !== n) {
    throw new InvalidInputError(`tensor has ${values.length} values but dims [${dims}] need ${n}`, {
      metaMessages: ['Give exactly one value per element, in row-major order.'],
    })
  }
  const data = new Uint8Array(n * DTYPE_BYTES[dtype])
  const view = new DataView(data.buffer)
  for (let i = 0; i < n; i++) writeElement(view, dtype, i, values[i])
  return { dtype, dims: [...dims], data }
}

function writeElement(view: DataView, dtype: DType, i: number, v: ElementValue): void {
  if (dtype === 'int64' || dtype === 'uint64') {
    const b = typeof v === 'bigint' ? v : BigInt(checkInt(v, dtype))
    if (dtype === 'int64') view.setBigInt64(i * 8, BigInt.asIntN(64, b) === b ? b : fail(v, dtype), true)
    else view.setBigUint64(i * 8, BigInt.asUintN(64, b) === b ? b : fail(v, dtype), true)
    return
  }
  const x = typeof v === 'boolean' ? Number(v) : typeof v === 'bigint' ? Number(v) : v
  if (typeof x !== 'number') fail(v, dtype)
  if (dtype === 'float32') view.setFloat32(i * 4, x, true)
  else if (dtype === 'float64') view.setFloat64(i * 8, x, true)
  else if (dtype === 'float16') view.setUint16(i * 2, toFloat16Bits(x), true)
  else if (dtype === 'bool') {
    if (x !== 0 && x !== 1) fail(v, dtype)
    view.setUint8(i, x)
  } else writeInt(view, dtype, i, checkInt(x, dtype))
}

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
}

function writeInt(view: DataView, dtype: DType, i: number, x: number): void {
  const [lo, hi] = INT_RANGE[dtype]!
  if (x < lo || x > hi) fail(x, dtype)
  if (dtype === 'int8') view.setInt8(i, x)
  else if (dtype === 'uint8') view.setUint8(i, x)
  else if (dtype === 'int16') view.setInt16(i * 2, x, true)
  else if (dtype === 'uint16') view.setUint16(i * 2, x, true)
  else if (dtype === 'int32') view.setInt32(i * 4, x, true)
  else view.setUint32(i * 4, x, true)
}

function checkInt(v: ElementValue, dtype: DType): number {
  const x = typeof v === 'boolean' ? Number(v) : Number(v)
  if (!Number.isSafeInteger(x)) fail(v, dtype)
  return x
}

function fail(v: unknown, dtype: DType): never {
  throw new InvalidInputError(`value ${String(v)} does not fit dtype ${dtype}`, {
    metaMessages: [`Give values representable as ${dtype}.`],
  })
}

/** Read a tensor's elements as JS values: numbers (float16 decoded), bigint for 64-bit ints, boolean for bool. */
export function tensorToValues(t: Tensor): ElementValue[] {
  const view = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength)
  const size = DTYPE_BYTES[t.dtype]
  const n = t.data.byteLength / size
  const out: ElementValue[] = new Array(n)
  for (let i = 0; i < n; i++) out[i] = readElement(view, t.dtype, i)
  return out
}

function readElement(view: DataView, dtype: DType, i: number): ElementValue {
  switch (dtype) {
    case 'float32':
      return view.getFloat32(i * 4, true)
    case 'float64':
      return view.getFloat64(i * 8, true)
    case 'float16':
      return fromFloat16Bits(view.getUint16(i * 2, true))
    case 'int8':
      return view.getInt8(i)
    case 'uint8':
      return view.getUint8(i)
    case 'int16':
      return view.getInt16(i * 2, true)
    case 'uint16':
      return view.getUint16(i * 2, true)
    case 'int32':
      return view.getInt32(i * 4, true)
    case 'uint32':
      return view.getUint32(i * 4, true)
    case 'int64':
      return view.getBigInt64(i * 8, true)
    case 'uint64':
      return view.getBigUint64(i * 8, true)
    case 'bool':
      return view.getUint8(i) !== 0
  }
}
