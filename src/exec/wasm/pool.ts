import { sha256 } from '@noble/hashes/sha2.js'
import { z } from 'zod'
import { AbortedError, InvalidInputError } from '../../errors.js'
import {
  InvalidWasmError,
  WasmMemoryLimitError,
  WasmOutputLimitError,
  WasmTimeoutError,
  WasmTrapError,
  WasmWorkerError,
} from './errors.js'
import { WASM_MAX_BYTES } from './limits.js'
import { capModuleMemory } from './module-limits.js'
import type { WorkerRequest, WorkerResponse } from './protocol.js'

export { WASM_MAX_BYTES }
/** Bytes of stderr kept per run; the rest is dropped. */
export const WASM_STDERR_BYTES = 64 * 1024

/** Resource limits of one run. All are required: a task without limits is refused. */
export interface WasmLimits {
  /** Cap on linear memory in bytes (rounded down to 64 KiB pages). */
  memoryBytes: number
  /** Wall-time limit in ms, from the moment a worker picks the task up (compile included). */
  timeMs: number
  /** Cap on stdout bytes. */
  outputBytes: number
}

/** One run of a WASI preview 1 command module. */
export interface WasmRunRequest {
  module: Uint8Array
  /** Arguments after argv[0] (argv[0] is always `main.wasm`). */
  args?: string[]
  stdin?: Uint8Array
  limits: WasmLimits
  /** 32-byte seed of `random_get`; default sha256(module, args, stdin), so a task is reproducible. */
  seed?: Uint8Array
  signal?: AbortSignal
}

/** What a run produced. Verification hashes `stdout` and `exitCode`. */
export interface WasmRunResult {
  stdout: Uint8Array
  /** First {@link WASM_STDERR_BYTES} bytes of stderr (diagnostics only). */
  stderr: Uint8Array
  exitCode: number
  wallMs: number
}

/** Runs WASM tasks in a pool of worker threads. */
export interface WasmExecutor {
  /**
   * Runs one module to completion.
   * @throws WasmTimeoutError | WasmMemoryLimitError | WasmOutputLimitError | WasmTrapError |
   *   InvalidWasmError | InvalidInputError | AbortedError | WasmWorkerError
   */
  run(req: WasmRunRequest): Promise<WasmRunResult>
  /** Terminates all workers and rejects queued tasks with AbortedError. */
  stop(): Promise<void>
}

/** Options of {@link createWasmPool}. */
export interface WasmPoolOptions {
  /** Workers, i.e. tasks run in parallel (default 1). */
  threads?: number
  spawn: SpawnWorker
  /** Told when a run times out and its worker is terminated. */
  onTimeout?: (info: { id: number; timeMs: number }) => void
}

const limitsSchema = z.object({
  memoryBytes: z
    .number()
    .int()
    .min(65_536)
    .max(4 * 1024 ** 3),
  timeMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600_000),
  outputBytes: z.number().int().min(0).max(WASM_MAX_BYTES),
})
const argsSchema = z
  .array(
    z
      .string()
      .max(4096)
      .refine((s) => !s.includes('\0'), 'argument contains NUL'),
  )
  .max(1024)

interface Job {
  req: WorkerRequest
  limits: WasmLimits
  signal?: AbortSignal
  resolve: (r: WasmRunResult) => void
  reject: (e: unknown) => void
  onAbort?: () => void
}

interface Slot {
  worker?: PoolWorker
  job?: Job
  timer?: ReturnType<typeof setTimeout>
  started: number
}

/** A worker of the pool (a Node worker thread, or a browser Web Worker): the pool posts runs to it. */
export interface PoolWorker {
  post(req: WorkerRequest): void
  terminate(): Promise<unknown>
}

/** What a worker reports back: a run's answer, or its own death (`code` as Node names it). */
export interface PoolWorkerEvents {
  message(res: WorkerResponse): void
  error(e: Error & { code?: string }): void
}

/** Starts one worker of the pool. */
export type SpawnWorker = (events: PoolWorkerEvents) => PoolWorker

/** Default `random_get` seed: sha256 over the module, the arguments and stdin, each length-prefixed. */
export function defaultSeed(module: Uint8Array, args: string[], stdin: Uint8Array): Uint8Array {
  const h = sha256.create()
  const len = (n: number) => {
    const b = new Uint8Array(8)
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true)
    return b
  }
  const enc = new TextEncoder()
  h.update(len(module.length)).update(module)
  h.update(len(args.length))
  for (const a of args) {
    const b = enc.encode(a)
    h.update(len(b.length)).update(b)
  }
  h.update(len(stdin.length)).update(stdin)
  return h.digest()
}

/**
 * A pool of sandbox workers running WASI preview 1 modules: limits checked, module memory capped, one run per
 * worker at a time, a worker killed at its run's time limit or abort. Platform-free: `spawn` makes the
 * workers (Node: executor.ts; browser: src/browser/wasm-executor.ts), which run runWasmRequest.
 */
export function createWasmPool(opts: WasmPoolOptions): WasmExecutor {
  const threads = opts.threads ?? 1
  const slots: Slot[] = Array.from({ length: threads }, () => ({ started: 0 }))
  const queue: Job[] = []
  let nextId = 1
  let stopped = false

  const spawn = (slot: Slot): PoolWorker => {
    const w: PoolWorker = opts.spawn({
      message: (res) => finish(slot, res),
      error: (e) => fail(slot, w, e),
    })
    return w
  }

  const release = (slot: Slot) => {
    if (slot.timer) clearTimeout(slot.timer)
    const job = slot.job
    if (job?.onAbort) job.signal?.removeEventListener('abort', job.onAbort)
    slot.job = undefined
    slot.timer = undefined
    queueMicrotask(pump)
    return job
  }

  const kill = (slot: Slot) => {
    const w = slot.worker
    slot.worker = undefined
    if (w) void w.terminate().catch(() => {})
  }

  const fail = (slot: Slot, w: PoolWorker, e: Error & { code?: string }) => {
    if (slot.worker !== w) return
    kill(slot)
    const job = release(slot)
    if (!job) return
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      job.reject(new WasmMemoryLimitError('the worker ran out of JS heap', job.limits.memoryBytes))
    } else job.reject(new WasmWorkerError(e.message, e))
  }

  const finish = (slot: Slot, res: WorkerResponse) => {
    const job = slot.job
    if (!job || job.req.id !== res.id) return
    const wallMs = Date.now() - slot.started
    release(slot)
    if (res.ok) {
      job.resolve({ stdout: res.stdout, stderr: res.stderr, exitCode: res.exitCode, wallMs })
      return
    }
    const stderr = new TextDecoder().decode(res.stderr)
    if (res.kind === 'invalid') job.reject(new InvalidWasmError(res.message))
    else if (res.kind === 'output') job.reject(new WasmOutputLimitError(job.limits.outputBytes))
    else if (res.memoryPages * 2 > job.req.maxPages) {
      // A trap with memory above half the cap: almost always a failed memory.grow turned into a trap
      // by the module's allocator. Reported as a memory-limit failure, with the trap as detail.
      job.reject(
        new WasmMemoryLimitError(
          `trapped (${res.message}) with ${res.memoryPages * 65_536} bytes of memory in use`,
          job.limits.memoryBytes,
        ),
      )
    } else job.reject(new WasmTrapError(res.message, stderr))
  }

  const pump = () => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue
      const job = queue.shift() as Job
      slot.job = job
      slot.worker ??= spawn(slot)
      slot.started = Date.now()
      slot.timer = setTimeout(() => {
        opts.onTimeout?.({ id: job.req.id, timeMs: job.limits.timeMs })
        kill(slot)
        release(slot)?.reject(new WasmTimeoutError(job.limits.timeMs))
      }, job.limits.timeMs)
      job.onAbort = () => {
        if (slot.job !== job) return
        kill(slot)
        release(slot)?.reject(new AbortedError('WASM task aborted', { cause: job.signal?.reason }))
      }
      job.signal?.addEventListener('abort', job.onAbort, { once: true })
      slot.worker.post(job.req)
    }
  }

  return {
    run(req) {
      if (stopped) return Promise.reject(new AbortedError('WASM executor is stopped'))
      if (req.signal?.aborted) return Promise.reject(new AbortedError('WASM task aborted before it started'))
      const limits = limitsSchema.safeParse(req.limits)
      if (!limits.success)
        return Promise.reject(new InvalidInputError(`invalid WASM limits: ${limits.error.message}`))
      const args = argsSchema.safeParse(req.args ?? [])
      if (!args.success)
        return Promise.reject(new InvalidInputError(`invalid WASM args: ${args.error.message}`))
      const stdin = req.stdin ?? new Uint8Array(0)
      if (!(req.module instanceof Uint8Array) || req.module.length > WASM_MAX_BYTES) {
        return Promise.reject(
          new InvalidWasmError(`module must be a Uint8Array of at most ${WASM_MAX_BYTES} bytes`),
        )
      }
      if (stdin.length > WASM_MAX_BYTES)
        return Promise.reject(new InvalidInputError(`stdin exceeds ${WASM_MAX_BYTES} bytes`))
      if (req.seed && req.seed.length !== 32)
        return Promise.reject(new InvalidInputError('seed must be 32 bytes'))
      let capped: ReturnType<typeof capModuleMemory>
      try {
        capped = capModuleMemory(req.module, limits.data.memoryBytes)
      } catch (e) {
        return Promise.reject(e)
      }
      return new Promise<WasmRunResult>((resolve, reject) => {
        const job: Job = {
          req: {
            id: nextId++,
            module: capped.bytes,
            argv: ['main.wasm', ...args.data],
            stdin: new Uint8Array(stdin),
            outputBytes: limits.data.outputBytes,
            stderrBytes: WASM_STDERR_BYTES,
            seed: req.seed ?? defaultSeed(req.module, args.data, stdin),
            minPages: capped.minPages,
            maxPages: capped.maxPages,
            memoryImport: capped.importName,
          },
          limits: limits.data,
          signal: req.signal,
          resolve,
          reject,
        }
        if (req.signal) {
          const onQueuedAbort = () => {
            const i = queue.indexOf(job)
            if (i >= 0) {
              queue.splice(i, 1)
              reject(new AbortedError('WASM task aborted while queued', { cause: req.signal?.reason }))
            }
          }
          req.signal.addEventListener('abort', onQueuedAbort, { once: true })
        }
        queue.push(job)
        pump()
      })
    },
    async stop() {
      stopped = true
      for (const job of queue.splice(0)) job.reject(new AbortedError('WASM executor stopped'))
      for (const slot of slots) {
        kill(slot)
        release(slot)?.reject(new AbortedError('WASM executor stopped'))
      }
    },
  }
}
