/** Messages between the executor and its worker threads (structured-clone, in-process only). */

/** A run request sent to a worker. */
export interface WorkerRequest {
  id: number
  /** The module, already capped by `capModuleMemory`. */
  module: Uint8Array
  argv: string[]
  stdin: Uint8Array
  outputBytes: number
  stderrBytes: number
  seed: Uint8Array
  minPages: number
  maxPages: number
  /** Set when the module imports its memory: the host creates it under this import name. */
  memoryImport?: { module: string; name: string }
}

/** Why a run failed inside the worker. */
export type WorkerFailure = 'invalid' | 'trap' | 'output'

/** A worker's answer to one request. */
export type WorkerResponse =
  | { id: number; ok: true; stdout: Uint8Array; stderr: Uint8Array; exitCode: number }
  | { id: number; ok: false; kind: WorkerFailure; message: string; stderr: Uint8Array; memoryPages: number }
