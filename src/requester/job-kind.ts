import { InvalidInputError } from '../errors.js'
import { checkInputs, inspectModel, type ModelInfo, type ValueSpec } from '../exec/model-info.js'
import type { TensorMap } from '../exec/tensor.js'
import { InvalidWasmError, WasmMemoryLimitError } from '../exec/wasm/errors.js'
import { createWasmExecutor } from '../exec/wasm/executor.js'
import { validateWasmModule } from '../exec/wasm/validate-module.js'
import { checkWasmTaskInputs, copy, wasmTaskExecutor } from '../exec/wasm/wasm-task.js'
import type { JobSpec } from './job-spec.js'

/** Largest stdout of one task of a wasm job (runs per task × outputBytes), so results fit a task frame. */
export const MAX_WASM_TASK_OUTPUT_BYTES = 32 * 1024 * 1024

/** What the requester needs to know about a job's model or module: its cost and declared outputs. */
export interface KindInfo {
  /** Work units per sample (ONNX: the model's cost; wasm: per run, see {@link wasmUnitsPerRun}). */
  cost: number
  /** Outputs every result must have (names, dtypes, dims; dim 0 is the shard's sample count). */
  outputs: ValueSpec[]
}

/**
 * Work units of one run of a wasm job: one per started second of its time limit. Deterministic and
 * recomputable by anyone from the job spec; the provider commits that much wall time to each run, and
 * nobody's self-reported duration enters the bill.
 */
export const wasmUnitsPerRun = (limits: { timeMs: number }) => Math.max(1, Math.ceil(limits.timeMs / 1000))

/** The cost and outputs of a job, from its spec and model (or module) bytes. */
export function kindInfo(spec: JobSpec, model: Uint8Array): KindInfo {
  if (spec.kind === 'onnx-inference') return inspectModel(model)
  return {
    cost: wasmUnitsPerRun(spec.limits),
    outputs: [
      { name: 'stdout', dtype: 'uint8', dims: ['runs', spec.limits.outputBytes] },
      { name: 'stdoutLength', dtype: 'int32', dims: ['runs'] },
      { name: 'exitCode', dtype: 'int32', dims: ['runs'] },
    ],
  }
}

/**
 * Check a job before it is accepted: ONNX model and inputs against each other, or a wasm module
 * (validateWasmModule) and runs (tensor shape, every row's limits equal to the spec's, task size).
 * @throws InvalidInputError (InvalidWasmError, InvalidWasmTaskError for wasm) naming the fault.
 */
export async function checkJob(spec: JobSpec, model: Uint8Array, inputs: TensorMap): Promise<KindInfo> {
  if (spec.kind === 'onnx-inference') return checkOnnxInputs(inspectModel(model), inputs)
  await validateWasmModule(model, spec.limits.memoryBytes).catch((err: unknown) => {
    // At submission a too-large initial memory is a fault of the job file, not of a run.
    if (err instanceof WasmMemoryLimitError)
      throw new InvalidWasmError(
        `its initial memory exceeds limits.memoryBytes (${spec.limits.memoryBytes} bytes): ${err.details ?? ''}`,
      )
    throw err
  })
  const n = checkWasmTaskInputs(inputs)
  const rows = new Float64Array(copy(inputs.limits.data).buffer)
  const { memoryBytes, timeMs, outputBytes } = spec.limits
  for (let i = 0; i < n; i++) {
    if (rows[i * 3] !== memoryBytes || rows[i * 3 + 1] !== timeMs || rows[i * 3 + 2] !== outputBytes)
      throw new InvalidInputError(`Run ${i} has limits other than the job's limits`, {
        metaMessages: ['Build the inputs with wasmTaskInputs(runs, spec.limits).'],
      })
  }
  if (Math.min(spec.shardSize, n) * outputBytes > MAX_WASM_TASK_OUTPUT_BYTES)
    throw new InvalidInputError(
      `shardSize × limits.outputBytes exceeds ${MAX_WASM_TASK_OUTPUT_BYTES} bytes per task`,
      { metaMessages: ['Lower shardSize or limits.outputBytes.'] },
    )
  return kindInfo(spec, model)
}

/** Check an ONNX job's inputs against its model's info and return that info. @throws InvalidInputError naming the fault. */
export function checkOnnxInputs(info: ModelInfo, inputs: TensorMap): ModelInfo {
  checkInputs(info, inputs)
  return info
}

/** Run a slice of a job here (canaries with known answers): ONNX through onnxruntime, wasm in the sandbox. */
export async function runJobLocally(
  spec: JobSpec,
  model: Uint8Array,
  inputs: TensorMap,
  maxOutputBytes: number,
): Promise<TensorMap> {
  // onnxruntime's native library is loaded with the first canary, not by every requester at start
  if (spec.kind === 'onnx-inference')
    return (await import('../exec/onnx-session.js')).runOnnxLocally(model, inputs, { maxOutputBytes })
  const exec = createWasmExecutor()
  try {
    return await wasmTaskExecutor(exec, async () => model, spec.limits).run({
      modelHash: spec.modelHash,
      inputs,
    })
  } finally {
    await exec.stop()
  }
}
