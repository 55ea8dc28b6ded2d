import type { BatchAxesOverrides } from '../exec/infer-batch-axes.js'
import type { TensorMap } from '../exec/tensor.js'
import type { WasmLimits } from '../exec/wasm/executor.js'
import type { JobProgress, JobSpecInput } from '../requester/job-spec.js'
import type { WasmRunSpec } from './wasm-job.js'

/** How to reach a node: its data dir (reads node.json and api.token), or an API URL and token. */
export type ConnectOptions = { dataDir?: string } | { apiUrl: string; token: string }

/** Options of a job submitted through the SDK. */
export interface SubmitOptions {
  name?: string
  shardSize?: number
  /** Most paid per work unit, in token base units (scripts); or give `maxPrice`. */
  maxPricePerUnit?: string
  /** Most paid, in MUT per 1,000 work units (e.g. "0.01", the default); not with `maxPricePerUnit`. */
  maxPrice?: string
  timeoutSeconds?: number
  /** How many providers, how long to wait for them, and (`executionProvider: 'webgpu'`) GPU providers only. */
  providers?: {
    min?: number
    max?: number
    waitSeconds?: number
    /** Only providers on this execution provider (`webgpu`: a GPU). */
    executionProvider?: 'webgpu'
    /** Rank providers on this execution provider first; the rest serve when none offer. */
    prefer?: { executionProvider: 'webgpu' | 'cpu' | 'wasm' }
  }
  /** How results are verified: replication, adaptive re-checks, canaries (default: adaptive). */
  verification?: JobSpecInput['verification']
}

/** An ONNX inference job: the model (bytes or a path), its named inputs, and optionally their batch axes. */
export interface InferenceJob extends SubmitOptions {
  model: Uint8Array | string
  inputs: TensorMap
  /**
   * Batch axis per input (`broadcast`: sent whole with every task) and per output; names left out are
   * inferred from the model's declared shapes.
   * @example { inputs: { state: 1, sr: 'broadcast' }, outputs: { stateN: 1 } }
   */
  batchAxes?: BatchAxesOverrides
}

/** A `wasm` job: a WASI preview 1 module (bytes or a path), its runs, and the limits of every run. */
export interface WasmJob extends SubmitOptions {
  module: Uint8Array | string
  runs: WasmRunSpec[]
  limits: WasmLimits
}

/** Options while waiting for a job. */
export interface WaitOptions {
  signal?: AbortSignal
  /** Called on every change of the job's progress. */
  onProgress?: (progress: JobProgress) => void
  /**
   * Least time between two progress polls, in ms (default 100). Each poll returns as soon as anything
   * changed, so without a floor a job of many small tasks costs the node one HTTP request per task.
   */
  minIntervalMs?: number
}
