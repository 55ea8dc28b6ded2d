import type { TaskExecutor } from '../task-executor.js'
import type { WasmExecutor, WasmLimits } from './pool.js'
import { validateWasmModule } from './validate-module.js'
import { wasmTaskExecutor } from './wasm-task.js'

/** Modules validated recently, by hash (a rejected promise = an invalid module, refused fast). */
const MODULE_CACHE = 16

/** The caps every wasm run of a provider is clamped to: `memoryBytes / threads` (≤ 4 GiB), one hour, 16 MiB of stdout. */
export function wasmCapsFor(memoryBytes: number, threads: number): WasmLimits {
  return {
    memoryBytes: Math.min(4 * 1024 ** 3, Math.floor(memoryBytes / threads)),
    timeMs: 3_600_000,
    outputBytes: 16 * 1024 * 1024,
  }
}

/**
 * The `wasm` kind's task executor over a sandbox (worker threads in a node, Web Workers in a tab): modules are
 * validated (validateWasmModule) once per hash before any run, each run clamped to `caps`.
 */
export function sandboxTaskExecutor(
  sandbox: WasmExecutor,
  getBlob: (hash: string) => Promise<Uint8Array>,
  caps: WasmLimits,
): TaskExecutor {
  const modules = new Map<string, Promise<Uint8Array>>()
  const getModule = (hash: string) => {
    let module = modules.get(hash)
    if (!module) {
      module = getBlob(hash).then(async (bytes) => {
        await validateWasmModule(bytes, caps.memoryBytes)
        return bytes
      })
      module.catch(() => {})
      modules.set(hash, module)
      if (modules.size > MODULE_CACHE) modules.delete(modules.keys().next().value as string)
    }
    return module
  }
  return wasmTaskExecutor(sandbox, getModule, caps)
}
