/** WASM sandbox: WASI preview 1 command modules in worker threads with memory, time and output limits. */

export {
  InvalidWasmError,
  WasmMemoryLimitError,
  WasmOutputLimitError,
  WasmTimeoutError,
  WasmTrapError,
  WasmWorkerError,
} from './errors.js'
export {
  createWasmExecutor,
  defaultSeed,
  WASM_MAX_BYTES,
  WASM_STDERR_BYTES,
  type WasmExecutor,
  type WasmExecutorOptions,
  type WasmLimits,
  type WasmRunRequest,
  type WasmRunResult,
} from './executor.js'
export { type CappedModule, capModuleMemory, WASM_PAGE } from './module-limits.js'
