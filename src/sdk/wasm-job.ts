import type { TensorMap } from '../exec/tensor.js'
import type { WasmLimits } from '../exec/wasm/executor.js'
import { wasmTaskInputs, wasmTaskOutputs } from '../exec/wasm/wasm-task.js'

/** One run of a `wasm` job as a user writes it: arguments after argv[0], and stdin (text or bytes). */
export interface WasmRunSpec {
  args: string[]
  stdin?: string | Uint8Array
}

/** What one run produced (stderr stays on the provider; results are verified by exact hash). */
export interface WasmRunOutput {
  exitCode: number
  stdout: Uint8Array
}

const te = new TextEncoder()

/** The input tensors of a wasm job (one row per run, every row with `limits`). */
export function wasmJobInputs(runs: WasmRunSpec[], limits: WasmLimits): TensorMap {
  return wasmTaskInputs(
    runs.map((r) => ({
      args: r.args,
      stdin: typeof r.stdin === 'string' ? te.encode(r.stdin) : (r.stdin ?? new Uint8Array(0)),
    })),
    limits,
  )
}

/** Each run's exit code and stdout, in run order, from a wasm job's outputs. */
export function wasmJobOutputs(outputs: TensorMap): WasmRunOutput[] {
  return wasmTaskOutputs(outputs).map(({ exitCode, stdout }) => ({ exitCode, stdout }))
}
