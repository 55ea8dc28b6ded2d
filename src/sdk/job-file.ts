import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { z } from 'zod'
import { firstLine, InvalidInputError } from '../errors.js'
import { batchSizeAlong } from '../exec/batch-axes.js'
import { type BatchAxesOverrides, inferBatchAxes } from '../exec/infer-batch-axes.js'
import { checkInputs, inspectModel, type ModelInfo } from '../exec/model-info.js'
import type { TensorMap } from '../exec/tensor.js'
import { loadTensorSpec, TensorSpecSchema } from '../exec/tensor-spec.js'
import { JobKind } from '../protocols/market-messages.js'
import { readBytes } from '../read-bytes.js'
import { commonJobFileFields } from './job-file-fields.js'
import { type LoadedWasmJob, loadWasmJobFile } from './wasm-job-file.js'

const MAX_JOB_FILE_BYTES = 1024 * 1024
const MAX_MODEL_FILE_BYTES = 512 * 1024 * 1024

const Axis = z.number().int().min(0).max(31)
const axisFields = { batchAxis: Axis.optional(), broadcast: z.boolean().optional() }
const [npySpec, rawSpec, inlineSpec] = TensorSpecSchema.options
/** One input of a job file: a tensor spec plus where its samples are. */
const InputEntrySchema = z.union([
  npySpec.extend(axisFields),
  rawSpec.extend(axisFields),
  inlineSpec.extend(axisFields),
])

/**
 * The ONNX job-file format (`mutirao submit job.json`). Paths are relative to the job file.
 * See `examples/wdbc-inference/job.json`; `wasm` job files: WasmJobFileSchema.
 */
export const JobFileSchema = z.strictObject({
  kind: z.literal('onnx-inference'),
  /** Path of the ONNX model. */
  model: z.string().min(1),
  /**
   * Named input tensors: `{ npy }`, `{ raw, dtype, shape }` or inline `{ data, dtype, shape? }`, each with
   * an optional `batchAxis` (where its samples are; default inferred, usually 0) or `broadcast: true`
   * (sent whole with every task: scalars, fixed tensors, lookup tables).
   */
  inputs: z.record(z.string().min(1).max(256), InputEntrySchema),
  /** Batch axis of outputs whose samples are not where the model's shapes say (results are joined along it). */
  outputs: z.record(z.string().min(1).max(256), z.strictObject({ batchAxis: Axis })).optional(),
  shardSize: z.number().int().positive().max(1_000_000).optional(),
  ...commonJobFileFields,
})
export type JobFile = z.infer<typeof JobFileSchema>

/** An ONNX job file with its model and inputs loaded and checked against each other. */
export interface LoadedOnnxJob {
  kind: 'onnx-inference'
  file: JobFile
  model: Uint8Array
  modelInfo: ModelInfo
  inputs: TensorMap
  /** Batch axes the file states (the node infers the rest from the model). */
  batchAxes: BatchAxesOverrides
}

/** A loaded job file of either kind. */
export type LoadedJob = LoadedOnnxJob | LoadedWasmJob

/** A job file read and checked against its schema, with nothing it names read yet. */
export type ParsedJobFile =
  | { kind: 'wasm'; json: unknown; baseDir: string }
  | {
      kind: 'onnx-inference'
      file: JobFile
      baseDir: string
      /** The model's absolute path. */
      modelPath: string
      /** Batch axes the file states (the node infers the rest from the model). */
      batchAxes: Required<BatchAxesOverrides>
    }

/**
 * Read a job file and check it against its schema (JobFileSchema, or WasmJobFileSchema for
 * `"kind": "wasm"`), without reading the model or inputs it names.
 * @throws InvalidInputError naming what is wrong.
 */
export async function parseJobFile(path: string): Promise<ParsedJobFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new InvalidInputError(`Cannot read job file ${path}: ${(err as Error).message}`)
  }
  if (text.length > MAX_JOB_FILE_BYTES) throw new InvalidInputError(`Job file ${path} is larger than 1 MiB`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`Job file ${path} is not valid JSON: ${(err as Error).message}`, {
      metaMessages: ['See examples/wdbc-inference/job.json for the format.'],
    })
  }
  const baseDir = dirname(resolve(path))
  if ((json as { kind?: unknown } | null)?.kind === 'wasm') return { kind: 'wasm', json, baseDir }
  const parsed = JobFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue.path.join('.') || '(root)'
    const what =
      where === 'kind'
        ? `unknown kind ${JSON.stringify((json as { kind?: unknown }).kind)}; valid kinds: ${JobKind.options.join(', ')}`
        : issue.message
    throw new InvalidInputError(`Job file ${path}: ${where}: ${what}`, {
      metaMessages: [
        'See examples/wdbc-inference/job.json (onnx-inference) or examples/wasm-montecarlo/job.json (wasm) for the format.',
      ],
    })
  }
  const file = parsed.data
  const modelPath = isAbsolute(file.model) ? file.model : resolve(baseDir, file.model)
  const batchAxes: Required<BatchAxesOverrides> = { inputs: {}, outputs: {} }
  for (const [name, { batchAxis, broadcast }] of Object.entries(file.inputs)) {
    if (batchAxis !== undefined && broadcast)
      throw new InvalidInputError(`Input '${name}': give batchAxis or broadcast, not both`)
    if (broadcast) batchAxes.inputs[name] = 'broadcast'
    else if (batchAxis !== undefined) batchAxes.inputs[name] = batchAxis
  }
  for (const [name, o] of Object.entries(file.outputs ?? {})) batchAxes.outputs[name] = o.batchAxis
  return { kind: 'onnx-inference', file, baseDir, modelPath, batchAxes }
}

/** The tensor spec of a job file's input, without its batch axis. */
export const inputSpec = ({ batchAxis: _, broadcast: __, ...spec }: JobFile['inputs'][string]) => spec

/**
 * Read, validate and load a job file: the JSON schema, the model (must be ONNX), and the inputs
 * (names, dtypes and shapes must match the model); or, for `"kind": "wasm"`, the module and its runs
 * (loadWasmJobFile). Every failure is an InvalidInputError naming it.
 */
export async function loadJobFile(path: string): Promise<LoadedJob> {
  return loadParsedJobFile(await parseJobFile(path), path)
}

/** {@link loadJobFile} for a job file already read and checked by {@link parseJobFile} (`path`: where it was read). */
export async function loadParsedJobFile(parsed: ParsedJobFile, path: string): Promise<LoadedJob> {
  if (parsed.kind === 'wasm') return loadWasmJobFile(parsed.json, path, parsed.baseDir)
  const { file, baseDir, modelPath, batchAxes } = parsed
  let model: Uint8Array
  try {
    model = await readBytes(modelPath)
  } catch (err) {
    throw new InvalidInputError(`Cannot read model ${modelPath}: ${(err as Error).message}`)
  }
  if (model.length > MAX_MODEL_FILE_BYTES)
    throw new InvalidInputError(`Model ${modelPath} is larger than 512 MiB`)
  const modelInfo = inspectModel(model)
  const inputs: TensorMap = {}
  for (const [name, entry] of Object.entries(file.inputs)) {
    try {
      inputs[name] = await loadTensorSpec(inputSpec(entry), { baseDir })
    } catch (err) {
      throw new InvalidInputError(`Input '${name}': ${firstLine(err)}`, { cause: err })
    }
  }
  checkInputs(modelInfo, inputs)
  const axes = inferBatchAxes(modelInfo, batchAxes)
  batchSizeAlong(inputs, axes.inputs)
  return { kind: 'onnx-inference', file, model, modelInfo, inputs, batchAxes }
}
