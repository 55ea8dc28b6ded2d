import { createWasmPool, type SpawnWorker, type WasmExecutor } from '../exec/wasm/pool.js'
import type { WorkerResponse } from '../exec/wasm/protocol.js'

/**
 * The WASI sandbox of a tab: Web Workers running `workerUrl` (wasm-worker.js), with the node's limits — module
 * memory capped, a worker terminated at its run's time limit or abort, stdout capped.
 */
export function createTabWasmExecutor(opts: { threads: number; workerUrl: string }): WasmExecutor {
  const spawn: SpawnWorker = (events) => {
    const w = new Worker(opts.workerUrl, { type: 'module', name: 'mutirao-wasi' })
    w.onmessage = (e: MessageEvent<WorkerResponse>) => events.message(e.data)
    w.onerror = (e) => {
      e.preventDefault()
      events.error(new Error(`wasm worker failed: ${e.message}`))
    }
    return {
      post: (req) => w.postMessage(req),
      terminate: async () => w.terminate(),
    }
  }
  return createWasmPool({
    threads: opts.threads,
    spawn,
    onTimeout: (info) => console.warn(`wasm task ${info.id} ran past ${info.timeMs} ms: worker terminated`),
  })
}
