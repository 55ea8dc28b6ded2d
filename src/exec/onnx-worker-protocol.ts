import type { ExecutionProvider } from './onnx-session.js'

/** Messages between the ONNX executor and its worker threads (same process, so not validated as peer input). */

/** Executor → worker: run one task. `inputs` is an encodeTensors buffer, transferred. */
export interface WorkerRunRequest {
  type: 'run'
  id: number
  hash: string
  /** Model bytes, sent only when the worker has no session for `hash`. */
  model?: Uint8Array
  inputs: Uint8Array
  maxOutputBytes: number
}

/** Worker → executor: a task's result. `outputs` is an encodeTensors buffer, transferred. */
export type WorkerReply =
  | {
      type: 'done'
      id: number
      outputs: Uint8Array
      runMs: number
      cached: string[]
      /** Where the model ran, and why not on the preferred provider when it fell back. */
      placement: Placement
    }
  | {
      type: 'failed'
      id: number
      error: { name: string; message: string; details?: string }
      cached: string[]
    }

/** Where a model runs: its execution provider, and why not on the preferred one when it fell back. */
export interface Placement {
  ep: ExecutionProvider | 'wasm'
  /** Set when the preferred provider could not run the model (it then runs on the CPU). */
  fallback?: string
}

/** Data given to each worker at start. */
export interface WorkerInit {
  /** Most sessions a worker keeps (least recently used is released first). */
  maxSessions: number
  /** The preferred execution provider (default `cpu`); models it cannot run fall back to the CPU. */
  executionProvider?: ExecutionProvider
}
