import { Worker } from 'node:worker_threads'
import { AbortedError } from '../errors.js'
import { logger } from '../log.js'
import {
  DeadlineExceededError,
  ExecutorStoppedError,
  InferenceError,
  OutputTooLargeError,
  WorkerCrashedError,
} from './errors.js'
import { InlinePace, InlineSessions } from './inline-lane.js'
import { modelCache } from './model-cache.js'
import { checkInputs, type ModelInfo } from './model-info.js'
import type { ExecutionProvider } from './onnx-session.js'
import type { Placement, WorkerInit, WorkerReply, WorkerRunRequest } from './onnx-worker-protocol.js'
import { type TensorMap, totalBytes } from './tensor.js'
import { decodeTensors, encodeTensors } from './tensor-codec.js'
import { defaultWorkerUrl, workerEntry } from './worker-entry.js'

export { runOnnxLocally } from './onnx-session.js'

const log = logger('exec:onnx')

/** Options of {@link createOnnxExecutor}. */
export interface OnnxExecutorOptions {
  /** Worker threads (each runs one task at a time, with a single-threaded session). */
  threads: number
  /** Fetch a model's bytes by sha256 hex hash; the executor verifies the hash. */
  getModel: (hash: string) => Promise<Uint8Array>
  /** Largest total output bytes of one task (default 64 MiB). */
  maxOutputBytes?: number
  /** Sessions each worker keeps (default 4), and twice that many models cached in this thread. */
  maxSessionsPerWorker?: number
  /** The worker entry (default: onnx-worker next to this module). For custom builds and tests. */
  workerUrl?: URL
  /**
   * The preferred execution provider (default `cpu`). A model it cannot run runs on the CPU instead, and
   * {@link OnnxExecutor.placement} says so and why.
   */
  executionProvider?: ExecutionProvider
  /** Run models proven quick in the pool in this thread instead (default true on the CPU): see inline-lane. */
  inline?: boolean
}

/** One inference task. */
export interface OnnxRunRequest {
  /** sha256 hex of the model bytes. */
  modelHash: string
  inputs: TensorMap
  /**
   * The bytes `inputs` were decoded from (decodeTensors), if the caller has them: the worker gets a copy of
   * them instead of `inputs` encoded again (the worker decodes and checks them).
   */
  encoded?: Uint8Array
  signal?: AbortSignal
  /** Epoch milliseconds (Date.now() clock): a task past it is not started, a running one is stopped. */
  deadline?: number
}

/** Counters of an executor. */
export interface OnnxExecutorStats {
  completed: number
  failed: number
  queued: number
  running: number
  /** Workers replaced after a crash or a cancelled run. */
  replaced: number
  /** Milliseconds spent inside session.run, summed over completed tasks. */
  sessionMs: number
  /** Tasks of quick models run in the calling thread, not a worker (see inline-lane). */
  inline: number
}

/** A pool of worker threads running ONNX models. */
export interface OnnxExecutor {
  /** Run a model; resolves with all its outputs. */
  run(request: OnnxRunRequest): Promise<TensorMap>
  /** Fetch (once) and describe a model. */
  modelInfo(hash: string): Promise<ModelInfo>
  /** Where a model ran last (undefined before its first run): its provider, and why it fell back if it did. */
  placement(hash: string): Placement | undefined
  /** Where each recently run model ran, by model hash. */
  placements(): ({ model: string } & Placement)[]
  stats(): OnnxExecutorStats
  /** Reject queued and running tasks and end the workers. */
  stop(): Promise<void>
}

interface Task {
  id: number
  hash: string
  inputs: Uint8Array
  deadline: number
  resolve: (outputs: TensorMap) => void
  reject: (error: Error) => void
  cleanup: () => void
}

interface Slot {
  worker: Worker
  loaded: Set<string>
  task?: Task
  /** Out of the pool: terminated as soon as it is not inside onnxruntime. */
  retired: boolean
  /** A run request was posted and its reply has not come back. */
  busy: boolean
  exited: Promise<void>
  lastError?: Error
}

/**
 * Create a pool of `threads` worker threads that run ONNX models on the CPU. Each worker keeps a session
 * per model hash, created once and reused; inputs and outputs cross threads as one transferred buffer each.
 * A crashed worker is replaced and its task rejected with WorkerCrashedError.
 * @example
 * const exec = createOnnxExecutor({ threads: 2, getModel: (h) => store.get(h) })
 * const { probabilities } = await exec.run({ modelHash, inputs: { x }, deadline: Date.now() + 5000 })
 * await exec.stop()
 */
export function createOnnxExecutor(options: OnnxExecutorOptions): OnnxExecutor {
  // onnxruntime's WebGPU context is one per process and not safe from several threads at once (concurrent
  // sessions in two workers fail with std::bad_alloc): one worker feeds the GPU, which is parallel itself
  const threads = options.executionProvider === 'webgpu' ? 1 : Math.max(1, Math.floor(options.threads))
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024
  const maxSessions = options.maxSessionsPerWorker ?? 4
  const workerUrl = options.workerUrl ?? defaultWorkerUrl()
  const loadModel = modelCache(options.getModel, maxSessions * 2)
  const queue: Task[] = []
  const slots: Slot[] = []
  /** Every worker not yet exited, including retired ones still finishing a run. */
  const live = new Set<Slot>()
  const stats = { completed: 0, failed: 0, replaced: 0, sessionMs: 0, inline: 0 }
  /** Where each model ran last, by hash (bounded). */
  const placements = new Map<string, Placement>()
  let nextId = 1
  let stopped = false
  let crashesInARow = 0
  const pace = new InlinePace()
  const inline =
    options.inline === false || options.executionProvider === 'webgpu'
      ? undefined
      : new InlineSessions(maxSessions)
  let inlineRunning = 0

  function spawn(): Slot {
    const init: WorkerInit = { maxSessions, executionProvider: options.executionProvider }
    const worker = new Worker(workerEntry(workerUrl), { workerData: init })
    const { promise: exited, resolve } = Promise.withResolvers<void>()
    const slot: Slot = { worker, loaded: new Set(), retired: false, busy: false, exited }
    live.add(slot)
    worker.once('exit', () => {
      live.delete(slot)
      resolve()
    })
    worker.unref()
    worker.on('message', (reply: WorkerReply) => onReply(slot, reply))
    worker.on('error', (e) => {
      slot.lastError = e
    })
    worker.on('exit', (code) => onExit(slot, code))
    return slot
  }

  function onReply(slot: Slot, reply: WorkerReply): void {
    slot.busy = false
    if (slot.retired) {
      void slot.worker.terminate()
      return
    }
    const task = slot.task
    slot.task = undefined
    slot.worker.unref()
    slot.loaded = new Set(reply.cached)
    crashesInARow = 0
    if (task && task.id === reply.id) {
      if (reply.type === 'done') {
        const before = placements.get(task.hash)
        if (reply.placement.fallback && before?.fallback !== reply.placement.fallback)
          log.warn({ model: task.hash, reason: reply.placement.fallback }, 'model runs on the CPU')
        placements.set(task.hash, reply.placement)
        if (placements.size > 64) placements.delete(placements.keys().next().value!)
        stats.completed++
        stats.sessionMs += reply.runMs
        pace.observe(task.hash, reply.runMs)
        try {
          task.resolve(decodeTensors(reply.outputs, { maxTotalBytes: maxOutputBytes, maxTensors: 4096 }))
        } catch (e) {
          task.reject(e as Error)
        }
      } else {
        stats.failed++
        const Err = reply.error.name === 'OutputTooLargeError' ? OutputTooLargeError : InferenceError
        const hint = Err === OutputTooLargeError ? ['Send a smaller batch, or raise maxOutputBytes.'] : []
        task.reject(new Err(reply.error.message, { details: reply.error.details, metaMessages: hint }))
      }
    }
    pump()
  }

  function onExit(slot: Slot, code: number): void {
    if (slot.retired) return
    slot.retired = true
    const task = slot.task
    const reason = slot.lastError?.message ?? `exit code ${code}`
    log.warn({ code, reason, task: task?.id }, 'onnx worker exited')
    if (task) {
      stats.failed++
      task.reject(
        new WorkerCrashedError(
          `onnx worker crashed while running model ${task.hash.slice(0, 12)}…: ${reason}`,
          {
            cause: slot.lastError,
            metaMessages: [
              'The worker was replaced; retry the task. A model that crashes every time is faulty.',
            ],
          },
        ),
      )
    }
    if (stopped) return
    crashesInARow++
    if (crashesInARow > threads * 3) {
      const error = new WorkerCrashedError(
        `onnx workers keep crashing (${crashesInARow} in a row): ${reason}`,
      )
      for (const t of queue.splice(0)) t.reject(error)
      slots.splice(slots.indexOf(slot), 1)
      return
    }
    replace(slot)
  }

  function replace(slot: Slot): void {
    stats.replaced++
    slots[slots.indexOf(slot)] = spawn()
    pump()
  }

  /**
   * Take a slot out of the pool. A worker inside onnxruntime cannot be terminated safely (the native run
   * aborts the whole process), so a busy one finishes its run, its result is dropped, and it ends then.
   */
  function retire(slot: Slot): void {
    slot.retired = true
    slot.task = undefined
    if (!slot.busy) void slot.worker.terminate()
  }

  /** Drop a running task: its worker is retired and a fresh one takes its place at once. */
  function kill(task: Task): void {
    const slot = slots.find((s) => s.task === task)
    if (!slot) return
    stats.failed++
    retire(slot)
    if (!stopped) replace(slot)
  }

  function pump(): void {
    while (queue.length > 0) {
      const idle = slots.filter((s) => !s.task && !s.retired)
      if (idle.length === 0) return
      const task = queue.shift()!
      if (Date.now() >= task.deadline) {
        task.reject(new DeadlineExceededError('task deadline passed before it started; it was not run'))
        continue
      }
      const slot = idle.find((s) => s.loaded.has(task.hash)) ?? idle[0]
      void dispatch(slot, task)
    }
  }

  async function dispatch(slot: Slot, task: Task): Promise<void> {
    slot.task = task
    slot.worker.ref()
    let model: Uint8Array | undefined
    try {
      if (!slot.loaded.has(task.hash)) model = (await loadModel(task.hash)).bytes
    } catch (e) {
      if (slot.task === task) slot.task = undefined
      task.reject(e as Error)
      pump()
      return
    }
    if (slot.task !== task) return // cancelled while the model loaded
    const msg: WorkerRunRequest = {
      type: 'run',
      id: task.id,
      hash: task.hash,
      model,
      inputs: task.inputs,
      maxOutputBytes,
    }
    slot.busy = true
    slot.worker.postMessage(msg, [task.inputs.buffer as ArrayBuffer])
  }

  async function run(req: OnnxRunRequest): Promise<TensorMap> {
    const deadline = req.deadline ?? Number.POSITIVE_INFINITY
    const check = () => {
      if (stopped) throw new ExecutorStoppedError('the onnx executor is stopped')
      if (req.signal?.aborted) throw new AbortedError('inference was aborted', { cause: req.signal.reason })
      if (Date.now() >= deadline)
        throw new DeadlineExceededError('task deadline passed before it started; it was not run')
    }
    check()
    const { info, bytes } = await loadModel(req.modelHash)
    check()
    checkInputs(info, req.inputs)
    const size = req.encoded?.byteLength ?? totalBytes(req.inputs)
    if (inline && pace.inline(req.modelHash, size, bytes.byteLength)) return runInline(req, bytes, deadline)
    // a buffer of its own (it is transferred to the worker): not Buffer#slice, a view into e.g. Buffer's pool
    const inputs = req.encoded ? new Uint8Array(req.encoded) : encodeTensors(req.inputs)
    return new Promise<TensorMap>((resolve, reject) => {
      const onAbort = () => cancel(new AbortedError('inference was aborted', { cause: req.signal?.reason }))
      const timer = Number.isFinite(deadline)
        ? setTimeout(
            () => cancel(new DeadlineExceededError('task ran past its deadline and was stopped')),
            deadline - Date.now(),
          )
        : undefined
      const task: Task = {
        id: nextId++,
        hash: req.modelHash,
        inputs,
        deadline,
        resolve: (v) => {
          task.cleanup()
          resolve(v)
        },
        reject: (e) => {
          task.cleanup()
          reject(e)
        },
        cleanup: () => {
          task.resolve = task.reject = () => {}
          clearTimeout(timer)
          req.signal?.removeEventListener('abort', onAbort)
        },
      }
      const cancel = (error: Error) => {
        const i = queue.indexOf(task)
        if (i >= 0) queue.splice(i, 1)
        else kill(task)
        task.reject(error)
      }
      req.signal?.addEventListener('abort', onAbort, { once: true })
      queue.push(task)
      pump()
    })
  }

  /** Run a quick model's task in this thread (no hop); aborted or late meanwhile, its result is dropped. */
  async function runInline(req: OnnxRunRequest, model: Uint8Array, deadline: number): Promise<TensorMap> {
    inlineRunning++
    try {
      const { outputs, runMs } = await inline!.run(req.modelHash, model, req.inputs, maxOutputBytes)
      pace.observe(req.modelHash, runMs)
      stats.sessionMs += runMs
      if (req.signal?.aborted) throw new AbortedError('inference was aborted', { cause: req.signal.reason })
      if (Date.now() >= deadline)
        throw new DeadlineExceededError('task ran past its deadline and was stopped')
      stats.completed++
      stats.inline++
      return outputs
    } catch (e) {
      stats.failed++
      throw e
    } finally {
      inlineRunning--
    }
  }

  for (let i = 0; i < threads; i++) slots.push(spawn())

  return {
    run,
    modelInfo: async (hash) => (await loadModel(hash)).info,
    placement: (hash) => placements.get(hash),
    placements: () => [...placements].map(([model, p]) => ({ model, ...p })),
    stats: () => ({
      ...stats,
      queued: queue.length,
      running: slots.filter((s) => s.task).length + inlineRunning,
    }),
    async stop() {
      if (stopped) return
      stopped = true
      const error = new ExecutorStoppedError('the onnx executor was stopped')
      for (const t of queue.splice(0)) t.reject(error)
      const all = slots.splice(0)
      for (const s of all) {
        s.task?.reject(error)
        retire(s)
      }
      await Promise.all([...live].map((s) => s.exited).concat(inline?.close() ?? []))
    },
  }
}
