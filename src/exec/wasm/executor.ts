import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { InvalidInputError } from '../../errors.js'
import { logger } from '../../log.js'
import { createWasmPool, type SpawnWorker, type WasmExecutor } from './pool.js'
import type { WorkerResponse } from './protocol.js'

export {
  defaultSeed,
  WASM_MAX_BYTES,
  WASM_STDERR_BYTES,
  type WasmExecutor,
  type WasmLimits,
  type WasmRunRequest,
  type WasmRunResult,
} from './pool.js'

const log = logger('exec:wasm')

/** Options of {@link createWasmExecutor}. */
export interface WasmExecutorOptions {
  /** Worker threads, i.e. tasks run in parallel (default 1). */
  threads?: number
  /** JS heap of each worker in MiB (default 256; WASM memory is capped separately). */
  workerHeapMb?: number
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

/** Worker threads with no environment and a bounded JS heap. */
function workerThreads(heapMb: number): SpawnWorker {
  const entry = workerEntry()
  return (events) => {
    const w = new Worker(entry.source, {
      eval: entry.eval,
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: heapMb, stackSizeMb: 4 },
    })
    w.on('message', (res: WorkerResponse) => events.message(res))
    w.on('error', (e) => events.error(e))
    w.on('exit', (code) => events.error(new Error(`worker exited with code ${code}`)))
    w.unref()
    return {
      post: (req) => w.postMessage(req),
      terminate: () => {
        w.removeAllListeners('exit')
        w.removeAllListeners('error')
        w.on('error', () => {})
        return w.terminate()
      },
    }
  }
}

/**
 * Creates a sandboxed executor for WASI preview 1 modules, in worker threads: no filesystem, network or
 * environment, a virtual clock and a seeded `random_get`, so the same inputs give byte-identical stdout anywhere
 * (a browser tab runs the same sandbox in Web Workers: src/browser/wasm-executor.ts).
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
  return createWasmPool({
    threads,
    spawn: workerThreads(opts.workerHeapMb ?? 256),
    onTimeout: (info) => log.warn(info, 'wasm task timed out; terminating worker'),
  })
}
