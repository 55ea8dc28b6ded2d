import { stat } from 'node:fs/promises'
import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { type FileRange, readBytes } from '../read-bytes.js'
import { InvalidTensorError } from './errors.js'
import { locateNpyFile, readNpyFile } from './npy-file.js'
import { DTYPES, type Tensor } from './tensor.js'
import { expectedBytes } from './tensor-codec.js'
import { type ElementValue, tensorFromValues } from './tensor-values.js'

const dims = z.array(z.number().int().nonnegative().max(0xffffffff)).max(16)
const dtype = z.enum(DTYPES)

/** A nested array of numbers, booleans or integer strings (for int64/uint64 beyond 2^53). */
type Nested = number | boolean | string | Nested[]
const nested: z.ZodType<Nested> = z.lazy(() =>
  z.union([z.number(), z.boolean(), z.string().regex(/^-?\d{1,20}$/), z.array(nested)]),
)

/** A tensor given in JSON: a `.npy` file, a raw little-endian file, or inline values. */
export const TensorSpecSchema = z.union([
  z.strictObject({ npy: z.string().min(1) }),
  z.strictObject({ raw: z.string().min(1), dtype, shape: dims }),
  z.strictObject({ data: nested, dtype, shape: dims.optional() }),
])

/** A tensor given in JSON (see {@link TensorSpecSchema}). */
export type TensorSpec = z.infer<typeof TensorSpecSchema>

/** Options of {@link loadTensorSpec}. */
export interface LoadTensorOptions {
  /** Directory that relative paths are resolved against (default: the working directory). */
  baseDir?: string
  /** Largest file or tensor accepted, in bytes (default 256 MiB). */
  maxBytes?: number
}

function flatten(data: Nested, depth: number, shape: number[], out: ElementValue[]): void {
  if (!Array.isArray(data)) {
    if (depth !== shape.length)
      throw new InvalidTensorError('inline data is ragged: a value sits where a list was')
    out.push(typeof data === 'string' ? BigInt(data) : data)
    return
  }
  if (depth === shape.length) shape.push(data.length)
  else if (shape[depth] !== data.length) {
    throw new InvalidTensorError(
      `inline data is ragged: a list of ${data.length} at depth ${depth}, ${shape[depth]} before`,
    )
  }
  for (const x of data) flatten(x, depth + 1, shape, out)
}

/**
 * Load a tensor from a JSON spec: `{ npy: path }`, `{ raw: path, dtype, shape }` or
 * `{ data: nested arrays, dtype, shape? }` (a given shape must hold exactly the data's element count,
 * so flat data may be reshaped). Everything is validated; files over `maxBytes` are not read.
 * @example await loadTensorSpec({ data: [[1, 2], [3, 4]], dtype: 'float32' })
 * @throws InvalidTensorError naming the problem.
 */
export async function loadTensorSpec(spec: unknown, options: LoadTensorOptions = {}): Promise<Tensor> {
  const { s, path, maxBytes } = parseSpec(spec, options)
  if ('npy' in s) return readNpyFile(path(s.npy), maxBytes)
  if ('raw' in s)
    return { dtype: s.dtype, dims: s.shape, data: await readBytes((await rawRange(s, path, maxBytes)).path) }
  return inlineTensor(s, maxBytes)
}

/**
 * A tensor from a JSON spec as {@link loadTensorSpec} checks it, but with the data of a `.npy` or raw file
 * left where it is (its range of the file) and only headers read; inline data is in memory.
 * @throws InvalidTensorError naming the problem.
 */
export async function locateTensorSpec(
  spec: unknown,
  options: LoadTensorOptions = {},
): Promise<Pick<Tensor, 'dtype' | 'dims'> & { data: Uint8Array | FileRange }> {
  const { s, path, maxBytes } = parseSpec(spec, options)
  if ('npy' in s) return locateNpyFile(path(s.npy), maxBytes)
  if ('raw' in s) return { dtype: s.dtype, dims: s.shape, data: await rawRange(s, path, maxBytes) }
  return inlineTensor(s, maxBytes)
}

function parseSpec(spec: unknown, options: LoadTensorOptions) {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024
  const parsed = TensorSpecSchema.safeParse(spec)
  if (!parsed.success) {
    throw new InvalidTensorError('invalid tensor spec', {
      details: z.prettifyError(parsed.error),
      metaMessages: ['Use { npy: path }, { raw: path, dtype, shape } or { data: [...], dtype, shape? }.'],
    })
  }
  const path = (p: string) => (isAbsolute(p) ? p : resolve(options.baseDir ?? process.cwd(), p))
  return { s: parsed.data, path, maxBytes }
}

/** A raw file's whole range, once its size is checked against the dtype and shape it is said to hold. */
async function rawRange(
  s: Extract<TensorSpec, { raw: string }>,
  path: (p: string) => string,
  maxBytes: number,
): Promise<FileRange> {
  const need = expectedBytes({ dtype: s.dtype, dims: s.shape })
  const { size } = await stat(path(s.raw))
  if (need > maxBytes)
    throw new InvalidTensorError(`${s.dtype}[${s.shape}] exceeds the limit of ${maxBytes} bytes`)
  if (size !== need) {
    throw new InvalidTensorError(
      `raw file ${s.raw} has ${size} bytes but ${s.dtype}[${s.shape}] needs ${need}`,
    )
  }
  return { path: path(s.raw), offset: 0, byteLength: size }
}

function inlineTensor(s: Extract<TensorSpec, { data: Nested }>, maxBytes: number): Tensor {
  const shape: number[] = []
  const values: ElementValue[] = []
  flatten(s.data, 0, shape, values)
  if (values.length * 8 > maxBytes)
    throw new InvalidTensorError(`inline data exceeds the limit of ${maxBytes} bytes`)
  try {
    return tensorFromValues(s.dtype, s.shape ?? shape, values)
  } catch (e) {
    throw new InvalidTensorError(`inline data does not fit ${s.dtype}[${s.shape ?? shape}]`, {
      details: (e as Error).message,
      cause: e,
    })
  }
}
