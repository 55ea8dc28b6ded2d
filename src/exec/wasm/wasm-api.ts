/**
 * Typed access to the global `WebAssembly` API. The project compiles without the DOM lib (and
 * `@types/node` 20 does not declare `WebAssembly`), so the few parts the sandbox uses are typed here.
 */

/** A linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(deltaPages: number): number
}

/** A compiled module. */
export type WasmModule = object

/** An instance's exports. */
export type WasmExports = Record<string, unknown>

/** One entry of `WebAssembly.Module.imports()` / `.exports()`. */
export interface WasmDescriptor {
  module?: string
  name: string
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag'
}

/** The subset of the `WebAssembly` namespace the sandbox uses. */
export interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>
  instantiate(
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ exports: WasmExports }>
  Memory: new (d: { initial: number; maximum?: number }) => WasmMemory
  Module: {
    imports(m: WasmModule): Required<WasmDescriptor>[]
    exports(m: WasmModule): WasmDescriptor[]
  }
  LinkError: new (...args: unknown[]) => Error
  RuntimeError: new (...args: unknown[]) => Error
}

/** The global `WebAssembly` object, typed. */
export const WA: WasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
