import { createOnnxExecutor } from '../exec/onnx-executor.js'
import type { ExecutionProvider } from '../exec/onnx-session.js'
import type { Placement } from '../exec/onnx-worker-protocol.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import { createWasmExecutor, type WasmLimits } from '../exec/wasm/executor.js'
import { sandboxTaskExecutor, wasmCapsFor } from '../exec/wasm/sandbox-task.js'
import type { JobKind } from '../protocols/market-messages.js'
import { dispatchByKind } from './kind-executor.js'

/** The provider's executors, one per job kind it runs, behind one dispatching TaskExecutor. */
export interface ProviderExecutors {
  executor: TaskExecutor
  /** The caps every wasm run is clamped to (absent when the provider does not run `wasm`). */
  wasmCaps?: WasmLimits
  /** Where each recently run ONNX model ran (a `fallback` says why not on the GPU). */
  placements(): ({ model: string } & Placement)[]
  stop(): Promise<void>
}

/**
 * Create the executors for `kinds`: ONNX sessions in worker threads, and the WASI sandbox for `wasm`,
 * whose modules are validated (validateWasmModule) once per hash before any run. Each run's limits are
 * clamped to `memoryBytes / threads`, one hour and 16 MiB of stdout.
 */
export function createProviderExecutors(opts: {
  kinds: readonly JobKind[]
  threads: number
  /** Memory the owner grants all tasks together. */
  memoryBytes: number
  getBlob: (hash: string) => Promise<Uint8Array>
  /** Where ONNX models run (default the CPU); models the GPU cannot run fall back to the CPU, visibly. */
  executionProvider?: ExecutionProvider
}): ProviderExecutors {
  const onnx = opts.kinds.includes('onnx-inference')
    ? createOnnxExecutor({
        threads: opts.threads,
        getModel: opts.getBlob,
        executionProvider: opts.executionProvider,
      })
    : undefined
  const sandbox = opts.kinds.includes('wasm') ? createWasmExecutor({ threads: opts.threads }) : undefined
  const wasmCaps = sandbox && wasmCapsFor(opts.memoryBytes, opts.threads)
  return {
    executor: dispatchByKind({
      'onnx-inference': onnx,
      wasm: sandbox && sandboxTaskExecutor(sandbox, opts.getBlob, wasmCaps!),
    }),
    wasmCaps,
    placements: () => onnx?.placements() ?? [],
    async stop() {
      await Promise.all([onnx?.stop(), sandbox?.stop()])
    },
  }
}
