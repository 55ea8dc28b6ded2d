import type { JobKind } from '../protocols/market-messages.js'

/** Whether the provider takes new work now (idle-only mode, owner's pause). */
export interface WorkGate {
  accepting(): boolean
  /** Why it is not accepting, in the owner's words (told to requesters with a `paused` decline). */
  why?(): string
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
  /** Silence the requester should allow before giving this provider's tasks to others (a browser tab's). */
  silenceMs?: number
}
