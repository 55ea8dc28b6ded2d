import { isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import type { WasmLimits } from '../exec/wasm/executor.js'
import { WASM_MAX_BYTES } from '../exec/wasm/limits.js'
import { readBytes } from '../read-bytes.js'
import { WasmLimitsSchema } from '../requester/job-spec.js'
import { commonJobFileFields } from './job-file-fields.js'
import type { WasmRunSpec } from './wasm-job.js'

const MAX_STDIN_FILE_BYTES = 16 * 1024 * 1024

const RunSchema = z
  .strictObject({
    args: z.array(z.string().max(4096)).max(1024),
    /** stdin as UTF-8 text. */
    stdin: z
      .string()
      .max(1024 * 1024)
      .optional(),
    /** stdin as base64 bytes. */
    stdinBase64: z
      .string()
      .max(1024 * 1024)
      .optional(),
    /** stdin from a file (relative to the job file). */
    stdinFile: z.string().min(1).max(4096).optional(),
  })
  .refine(
    (r) => [r.stdin, r.stdinBase64, r.stdinFile].filter((x) => x !== undefined).length <= 1,
    'give at most one of stdin, stdinBase64, stdinFile',
  )

/**
 * The `wasm` job-file format (`mutirao submit job.json`): a WASI preview 1 module, one entry per run,
 * and the limits of every run. See `examples/wasm-montecarlo/job.json`.
 */
export const WasmJobFileSchema = z.strictObject({
  kind: z.literal('wasm'),
  /** Path of the `.wasm` module. */
  module: z.string().min(1),
  runs: z.array(RunSchema).min(1).max(100_000),
  limits: WasmLimitsSchema,
  shardSize: z.number().int().positive().max(4096).optional(),
  ...commonJobFileFields,
})
export type WasmJobFile = z.infer<typeof WasmJobFileSchema>

/** A wasm job file with its module and stdin files read. */
export interface LoadedWasmJob {
  kind: 'wasm'
  file: WasmJobFile
  module: Uint8Array
  runs: WasmRunSpec[]
  limits: WasmLimits
}

const read = async (path: string, what: string, max: number): Promise<Uint8Array> => {
  let bytes: Uint8Array
  try {
    bytes = await readBytes(path)
  } catch (err) {
    throw new InvalidInputError(`Cannot read ${what} ${path}: ${(err as Error).message}`)
  }
  if (bytes.length > max) throw new InvalidInputError(`${what} ${path} is larger than ${max} bytes`)
  return bytes
}

/** Validate a parsed wasm job file and read the files it names (paths relative to `baseDir`). */
export async function loadWasmJobFile(json: unknown, path: string, baseDir: string): Promise<LoadedWasmJob> {
  const parsed = WasmJobFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidInputError(`Job file ${path}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
      metaMessages: ['See examples/wasm-montecarlo/job.json for the format.'],
    })
  }
  const file = parsed.data
  const at = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p))
  const module = await read(at(file.module), 'module', WASM_MAX_BYTES)
  const stdinFiles = new Map<string, Promise<Uint8Array>>()
  const runs = await Promise.all(
    file.runs.map(async (r): Promise<WasmRunSpec> => {
      if (r.stdinBase64 !== undefined) return { args: r.args, stdin: Buffer.from(r.stdinBase64, 'base64') }
      if (r.stdinFile === undefined) return { args: r.args, stdin: r.stdin }
      const p = at(r.stdinFile)
      if (!stdinFiles.has(p)) stdinFiles.set(p, read(p, 'stdin file', MAX_STDIN_FILE_BYTES))
      return { args: r.args, stdin: await stdinFiles.get(p)! }
    }),
  )
  return { kind: 'wasm', file, module, runs, limits: file.limits }
}
