import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { validateWasmModule } from './validate-module.js'

const example = (path: string) =>
  new Uint8Array(readFileSync(new URL(`../../../examples/${path}`, import.meta.url)))
const MiB = 1024 * 1024
const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
/** One memory of `min` pages, defined by the module (section 5). */
const memory = (min: number) => [0x05, 0x03, 0x01, 0x00, min]
/** A function type and an import of `env.f` (not WASI). */
const foreignImport = [
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x02, 0x09, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x66, 0x00, 0x00,
]

describe('validateWasmModule', () => {
  it('accepts the example modules', async () => {
    await validateWasmModule(example('wasm-montecarlo/var.wasm'), 32 * MiB)
    await validateWasmModule(example('wasm-hostile/loop.wasm'), 4 * MiB)
  })

  it.each([
    ['an ONNX model', () => example('wdbc-inference/model.onnx'), 'magic'],
    ['a truncated module', () => example('wasm-montecarlo/var.wasm').subarray(0, 100), 'runs past the end'],
    ['a non-WASI import', () => Uint8Array.from([...header, ...foreignImport, ...memory(1)]), 'env.f'],
    ['a module without _start', () => Uint8Array.from([...header, ...memory(1)]), '_start'],
  ])('refuses %s with InvalidWasmError', async (_what, bytes, expected) => {
    const err = await validateWasmModule(bytes(), 4 * MiB).catch((e) => e)
    expect(err.name).toBe('InvalidWasmError')
    expect(err.message).toContain(expected)
  })

  it('refuses a module whose initial memory exceeds the cap', async () => {
    const err = await validateWasmModule(Uint8Array.from([...header, ...memory(64)]), MiB).catch((e) => e)
    expect(err.name).toBe('WasmMemoryLimitError')
  })
})
