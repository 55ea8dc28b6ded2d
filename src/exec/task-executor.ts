import type { JobKind } from '../protocols/market-messages.js'
import type { Placement } from './onnx-worker-protocol.js'
import type { TensorMap } from './tensor.js'

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
