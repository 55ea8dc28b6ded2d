import type { Placement } from '../exec/onnx-worker-protocol.js'
import type { TensorMap } from '../exec/tensor.js'
import type { JobKind } from '../market/messages.js'

/** What the provider agent needs from an executor: run one task (ONNX inference or wasm runs). */
export interface TaskExecutor {
  run(request: {
    /** The agreement's job kind (absent: `onnx-inference`); see dispatchByKind. */
    kind?: JobKind
    modelHash: string
    inputs: TensorMap
    /** The bytes `inputs` were decoded from; an executor may use them instead of encoding `inputs`. */
    encoded?: Uint8Array
    signal?: AbortSignal
    deadline?: number
  }): Promise<TensorMap>
  /** Where a model ran last (ONNX executors): its execution provider, and why it fell back if it did. */
  placement?(modelHash: string): Placement | undefined
}

/** Whether the provider takes new work now (idle-only mode, owner's pause). */
export interface WorkGate {
  accepting(): boolean
}

/** The concrete policy the agent enforces. */
export interface ProviderTerms {
  /** Tasks run at once. */
  threads: number
  pricePerUnit: bigint
  /** Largest model the provider will fetch. */
  maxModelBytes: number
  /** Largest task input it will accept. */
  maxTaskBytes: number
  /** Job kinds it runs: it offers, agrees and runs tasks for these only. */
  kinds: readonly JobKind[]
  /** Where ONNX models run (default `cpu`); demands that need another execution provider are declined. */
  executionProvider?: 'cpu' | 'webgpu' | 'wasm'
  /** Memory one task may use; demands that need more (`minMemoryBytes`) are declined. */
  taskMemoryBytes?: number
}
