import type * as ort from 'onnxruntime-node'
import { createOnnxSession, runSession } from './onnx-session.js'
import type { TensorMap } from './tensor.js'

/**
 * When a model is run in the calling thread instead of a worker. A tiny model's run (tens of µs) costs less
 * than the thread hop around it (~120 µs of CPU here: a postMessage each way, the inputs and outputs encoded
 * and decoded, a wake-up per side), and onnxruntime-node runs a session synchronously in the thread that
 * calls it — so only models already shown to be quick are run here, where a slow run would stall the node.
 */
export const INLINE_POLICY = {
  /** Runs a model must complete in the worker pool first (its loading and first runs are isolated). */
  provenRuns: 8,
  /** Largest moving average of a model's run time (ms) that runs here. */
  maxRunMs: 1,
  /** Largest inputs (bytes) of a task that runs here; bigger batches go to the pool. */
  maxInputBytes: 64 * 1024,
  /** Largest model (bytes) run here: its session here is a second copy beside the worker's. */
  maxModelBytes: 16 * 1024 * 1024,
  /** Weight of the newest run in the moving average. */
  alpha: 0.2,
} as const

interface ModelPace {
  runs: number
  /** Moving average of run milliseconds, over runs anywhere. */
  avgMs: number
}

/**
 * Which models are quick enough to run in this thread: a pure record of run times, from the workers and
 * from inline runs alike. A model that turns slow goes back to the pool (one run of 5 ms is enough).
 */
export class InlinePace {
  readonly #models = new Map<string, ModelPace>()

  constructor(
    private readonly policy = INLINE_POLICY,
    private readonly maxModels = 64,
  ) {}

  /** A run of `hash` took `runMs`. */
  observe(hash: string, runMs: number): void {
    const m = this.#models.get(hash)
    if (!m) {
      this.#models.set(hash, { runs: 1, avgMs: runMs })
      if (this.#models.size > this.maxModels) this.#models.delete(this.#models.keys().next().value!)
      return
    }
    m.runs++
    m.avgMs += this.policy.alpha * (runMs - m.avgMs)
  }

  /** Whether a task of `hash` (a model of `modelBytes`) with `inputBytes` of inputs runs in this thread. */
  inline(hash: string, inputBytes: number, modelBytes: number): boolean {
    const m = this.#models.get(hash)
    return (
      m !== undefined &&
      m.runs >= this.policy.provenRuns &&
      m.avgMs <= this.policy.maxRunMs &&
      inputBytes <= this.policy.maxInputBytes &&
      modelBytes <= this.policy.maxModelBytes
    )
  }
}

interface InlineSession {
  session: Promise<ort.InferenceSession>
  /** Runs started on it and not yet finished. */
  running: number
  /** Out of the cache: released when its last run ends. */
  evicted: boolean
}

/**
 * Sessions of quick models in the calling thread, at most `maxSessions` (the least recently used is evicted,
 * and released once the runs already started on it have ended).
 */
export class InlineSessions {
  readonly #sessions = new Map<string, InlineSession>()

  constructor(private readonly maxSessions: number) {}

  /** Run `inputs` through the model `hash` (its session created from `model`, its bytes, on first use). */
  async run(
    hash: string,
    model: Uint8Array,
    inputs: TensorMap,
    maxOutputBytes: number,
  ): Promise<{ outputs: TensorMap; runMs: number }> {
    let entry = this.#sessions.get(hash)
    if (entry) this.#sessions.delete(hash)
    else {
      const session = createOnnxSession(model)
      entry = { session, running: 0, evicted: false }
      const created = entry
      session.catch(() => {
        if (this.#sessions.get(hash) === created) this.#sessions.delete(hash)
      })
    }
    this.#sessions.set(hash, entry) // most recently used last
    while (this.#sessions.size > this.maxSessions) {
      const [oldest, e] = this.#sessions.entries().next().value as [string, InlineSession]
      this.#sessions.delete(oldest)
      e.evicted = true
      if (e.running === 0) release(e)
    }
    entry.running++
    try {
      const s = await entry.session
      // onnxruntime-node runs the session in a setImmediate callback: one queued just before it marks the
      // run's start, so the time waited for the event loop (other sockets' callbacks, on a busy node) is not
      // counted
      let start = performance.now()
      setImmediate(() => {
        start = performance.now()
      })
      const outputs = await runSession(s, inputs, maxOutputBytes)
      return { outputs, runMs: performance.now() - start }
    } finally {
      entry.running--
      if (entry.evicted && entry.running === 0) release(entry)
    }
  }

  /** Release every session (after the runs already started on each). */
  async close(): Promise<void> {
    const all = [...this.#sessions.values()]
    this.#sessions.clear()
    for (const e of all) {
      e.evicted = true
      if (e.running === 0) release(e)
    }
    await Promise.allSettled(all.map((e) => e.session))
  }
}

function release(e: InlineSession): void {
  e.session.then((s) => s.release()).catch(() => {})
}
