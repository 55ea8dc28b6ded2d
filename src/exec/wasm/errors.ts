import { InvalidInputError, MutiraoError } from '../../errors.js'

/** The module ran past its wall-time limit and its worker was terminated. */
export class WasmTimeoutError extends MutiraoError {
  override name = 'WasmTimeoutError'
  constructor(timeMs: number) {
    super(`WASM module ran past its time limit of ${timeMs} ms`, {
      metaMessages: [
        'Raise limits.timeMs if the task is expected to take longer, or check the module for an endless loop.',
      ],
    })
  }
}

/** The module asked for more linear memory than its cap (declared minimum or growth at run time). */
export class WasmMemoryLimitError extends MutiraoError {
  override name = 'WasmMemoryLimitError'
  constructor(detail: string, capBytes: number) {
    super(`WASM module exceeded its memory cap of ${capBytes} bytes`, {
      details: detail,
      metaMessages: ['Raise limits.memoryBytes, or make the module use less memory.'],
    })
  }
}

/** The module wrote more to stdout than its output limit. */
export class WasmOutputLimitError extends MutiraoError {
  override name = 'WasmOutputLimitError'
  constructor(outputBytes: number) {
    super(`WASM module wrote more than its output limit of ${outputBytes} bytes`, {
      metaMessages: ['Raise limits.outputBytes, or make the module write less.'],
    })
  }
}

/** The module trapped (unreachable, out-of-bounds access, stack overflow, division by zero...). */
export class WasmTrapError extends MutiraoError {
  override name = 'WasmTrapError'
  constructor(message: string, stderr?: string) {
    super(`WASM module trapped: ${message}`, {
      details: stderr ? `stderr: ${stderr.slice(-2000)}` : undefined,
      metaMessages: ['The module itself failed; run it locally with the same args and stdin to debug.'],
    })
  }
}

/** The bytes are not an acceptable WASI preview 1 command module. */
export class InvalidWasmError extends InvalidInputError {
  override name = 'InvalidWasmError'
  constructor(problem: string) {
    super(`Invalid WASM module: ${problem}`, {
      metaMessages: [
        'The sandbox runs WASI preview 1 commands: export `_start` and `memory`, import only from',
        '`wasi_snapshot_preview1` (plus at most one memory); no shared memory, no memory64.',
      ],
    })
  }
}

/** The sandbox's worker died for a reason other than a limit (a bug or an out-of-memory in the host). */
export class WasmWorkerError extends MutiraoError {
  override name = 'WasmWorkerError'
  constructor(message: string, cause?: unknown) {
    super(`WASM worker failed: ${message}`, {
      cause,
      metaMessages: ['The executor replaces the worker; retry the task.'],
    })
  }
}
