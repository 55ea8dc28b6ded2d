import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { sha256 } from '@noble/hashes/sha2.js'
import { z } from 'zod'
import { AbortedError, InvalidInputError } from '../../errors.js'
import { logger } from '../../log.js'
import {
  InvalidWasmError,
  WasmMemoryLimitError,
  WasmOutputLimitError,
  WasmTimeoutError,
  WasmTrapError,
  WasmWorkerError,
} from './errors.js'
import { capModuleMemory } from './module-limits.js'
import type { WorkerRequest, WorkerResponse } from './protocol.js'

const log = logger('exec:wasm')

/** Largest module, stdin and output the executor accepts (64 MiB each). */
export const WASM_MAX_BYTES = 64 * 1024 * 1024
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

/** Options of {@link createWasmExecutor}. */
export interface WasmExecutorOptions {
  /** Worker threads, i.e. tasks run in parallel (default 1). */
  threads?: number
  /** JS heap of each worker in MiB (default 256; WASM memory is capped separately). */
  workerHeapMb?: number
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
  worker?: Worker
  job?: Job
  timer?: NodeJS.Timeout
  started: number
}

/**
 * The worker's entry: compiled `worker.js` next to this module, or, when running from source (vitest,
 * tsx), `worker.ts` loaded through tsx's loader (Node 20 workers ignore `--import tsx` in execArgv, so a
 * two-line bootstrap registers tsx inside the worker first).
 */
function workerEntry(): { source: URL | string; eval: boolean } {
  const js = new URL('./worker.js', import.meta.url)
  if (existsSync(fileURLToPath(js))) return { source: js, eval: false }
  const ts = new URL('./worker.ts', import.meta.url).href
  return {
    source: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(ts)}) })`,
    eval: true,
  }
}

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
 * Creates a sandboxed executor for WASI preview 1 modules: no filesystem, network or environment,
 * a virtual clock and a seeded `random_get`, so the same inputs give byte-identical stdout anywhere.
 * @example
 * const exec = createWasmExecutor({ threads: 2 })
 * const { stdout } = await exec.run({ module, args: ['10000'], limits: { memoryBytes: 16 << 20, timeMs: 5000, outputBytes: 1 << 20 } })
 * await exec.stop()
 */
export function createWasmExecutor(opts: WasmExecutorOptions = {}): WasmExecutor {
  const threads = opts.threads ?? 1
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new InvalidInputError(`threads must be an integer in 1..256, got ${threads}`)
  }
  const entry = workerEntry()
  const slots: Slot[] = Array.from({ length: threads }, () => ({ started: 0 }))
  const queue: Job[] = []
  let nextId = 1
  let stopped = false

  const spawn = (slot: Slot): Worker => {
    const w = new Worker(entry.source, {
      eval: entry.eval,
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: opts.workerHeapMb ?? 256, stackSizeMb: 4 },
    })
    w.on('message', (res: WorkerResponse) => finish(slot, res))
    w.on('error', (e) => fail(slot, w, e))
    w.on('exit', (code) => fail(slot, w, new Error(`worker exited with code ${code}`)))
    w.unref()
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
    if (w) {
      w.removeAllListeners('exit')
      w.removeAllListeners('error')
      w.on('error', () => {})
      void w.terminate()
    }
  }

  const fail = (slot: Slot, w: Worker, e: Error & { code?: string }) => {
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
        log.warn({ id: job.req.id, timeMs: job.limits.timeMs }, 'wasm task timed out; terminating worker')
        kill(slot)
        release(slot)?.reject(new WasmTimeoutError(job.limits.timeMs))
      }, job.limits.timeMs)
      job.onAbort = () => {
        if (slot.job !== job) return
        kill(slot)
        release(slot)?.reject(new AbortedError('WASM task aborted', { cause: job.signal?.reason }))
      }
      job.signal?.addEventListener('abort', job.onAbort, { once: true })
      slot.worker.postMessage(job.req)
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
        const w = slot.worker
        kill(slot)
        release(slot)?.reject(new AbortedError('WASM executor stopped'))
        if (w) await w.terminate().catch(() => {})
      }
    },
  }
}
