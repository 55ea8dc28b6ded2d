import type { TensorMap } from '../exec/tensor.js'

/** What the provider agent needs from an executor: run one inference task. */
export interface TaskExecutor {
  run(request: {
    modelHash: string
    inputs: TensorMap
    signal?: AbortSignal
    deadline?: number
  }): Promise<TensorMap>
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
}
