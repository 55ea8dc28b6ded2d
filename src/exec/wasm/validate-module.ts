import { InvalidWasmError } from './errors.js'
import { capModuleMemory } from './module-limits.js'
import { WASM_MAX_BYTES } from './pool.js'
import { WA } from './wasm-api.js'

const WASI = 'wasi_snapshot_preview1'

/**
 * Checks, without running it, that `bytes` is a module the sandbox accepts: at most
 * {@link WASM_MAX_BYTES}, the `\0asm` magic and version 1, one non-shared 32-bit memory whose declared
 * minimum fits `memoryBytes`, valid code, imports only from `wasi_snapshot_preview1` (plus its memory),
 * and an exported `_start`. The requester calls it at submission and the provider before a task runs.
 * @throws InvalidWasmError naming the problem | WasmMemoryLimitError when the initial memory exceeds the cap.
 */
export async function validateWasmModule(bytes: Uint8Array, memoryBytes: number): Promise<void> {
  if (bytes.length > WASM_MAX_BYTES)
    throw new InvalidWasmError(`the module is ${bytes.length} bytes; the limit is ${WASM_MAX_BYTES}`)
  const capped = capModuleMemory(bytes, memoryBytes)
  let module: object
  try {
    module = await WA.compile(bytes)
  } catch (err) {
    throw new InvalidWasmError(`it does not compile: ${(err as Error).message}`)
  }
  for (const imp of WA.Module.imports(module)) {
    const isMemory =
      imp.kind === 'memory' &&
      imp.module === capped.importName?.module &&
      imp.name === capped.importName?.name
    if (!isMemory && (imp.module !== WASI || imp.kind !== 'function'))
      throw new InvalidWasmError(
        `import ${imp.module}.${imp.name} (${imp.kind}) is not offered by the sandbox`,
      )
  }
  const exports = WA.Module.exports(module)
  if (!exports.some((e) => e.name === '_start' && e.kind === 'function'))
    throw new InvalidWasmError('no exported `_start` function')
  if (!capped.imported && !exports.some((e) => e.name === 'memory' && e.kind === 'memory'))
    throw new InvalidWasmError('the module neither exports `memory` nor imports it')
}
