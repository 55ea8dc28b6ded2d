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
  | { type: 'done'; id: number; outputs: Uint8Array; runMs: number; cached: string[] }
  | {
      type: 'failed'
      id: number
      error: { name: string; message: string; details?: string }
      cached: string[]
    }

/** Data given to each worker at start. */
export interface WorkerInit {
  /** Most sessions a worker keeps (least recently used is released first). */
  maxSessions: number
}
