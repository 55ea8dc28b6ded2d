import { describe, expect, it } from 'vitest'
import { capModuleMemory, WASM_PAGE } from './module-limits.js'
import { WA, type WasmMemory } from './wasm-api.js'

/** (module (memory (export "memory") MIN [MAX])) — assembled by hand. */
function memoryModule(min: number, max?: number): Uint8Array {
  const limits = max === undefined ? [0, min] : [1, min, max]
  const mem = [1, ...limits]
  const exp = [1, 6, ...new TextEncoder().encode('memory'), 2, 0]
  return new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, mem.length, ...mem, 7, exp.length, ...exp])
}

async function memoryOf(bytes: Uint8Array): Promise<WasmMemory> {
  const inst = await WA.instantiate(await WA.compile(bytes), {})
  return inst.exports.memory as WasmMemory
}

describe('capModuleMemory', () => {
  it('adds the cap as maximum to a memory without one', async () => {
    const capped = capModuleMemory(memoryModule(2), 4 * WASM_PAGE)
    expect(capped).toMatchObject({ minPages: 2, maxPages: 4, imported: false })
    const mem = await memoryOf(capped.bytes)
    expect(mem.grow(2)).toBe(2)
    expect(() => mem.grow(1)).toThrow(RangeError)
  })

  it('keeps a smaller declared maximum and lowers a larger one', () => {
    expect(capModuleMemory(memoryModule(1, 3), 10 * WASM_PAGE).maxPages).toBe(3)
    expect(capModuleMemory(memoryModule(1, 100), 10 * WASM_PAGE).maxPages).toBe(10)
  })

  it('refuses a module whose initial memory exceeds the cap', () => {
    expect(() => capModuleMemory(memoryModule(20), 10 * WASM_PAGE)).toThrow(
      expect.objectContaining({ name: 'WasmMemoryLimitError' }),
    )
  })

  it('refuses malformed and memory-less binaries', () => {
    expect(() => capModuleMemory(new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0]), WASM_PAGE)).toThrow(/version/)
    expect(() => capModuleMemory(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), WASM_PAGE)).toThrow(
      /exactly one memory/,
    )
    expect(() => capModuleMemory(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 9, 1]), WASM_PAGE)).toThrow(
      expect.objectContaining({ name: 'InvalidWasmError' }),
    )
    // shared memory (flags 0x03)
    const shared = memoryModule(1, 2)
    shared[11] = 3
    expect(() => capModuleMemory(shared, 4 * WASM_PAGE)).toThrow(/shared/)
  })
})
