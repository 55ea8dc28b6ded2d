import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeTensors, encodeTensors, sliceBatch } from '../tensor-codec.js'
import { createWasmExecutor } from './executor.js'
import {
  InvalidWasmTaskError,
  isWasm,
  wasmTaskExecutor,
  wasmTaskInputs,
  wasmTaskOutputs,
} from './wasm-task.js'

const read = (p: string) => new Uint8Array(readFileSync(new URL(`../../../examples/${p}`, import.meta.url)))
const blobs: Record<string, Uint8Array> = {
  echo: read('wasm-hostile/echo.wasm'),
  loop: read('wasm-hostile/loop.wasm'),
  membomb: read('wasm-hostile/membomb.wasm'),
  snoop: read('wasm-hostile/snoop.wasm'),
  flood: read('wasm-hostile/flood.wasm'),
  var: read('wasm-montecarlo/var.wasm'),
}
const limits = { memoryBytes: 16 << 20, timeMs: 1500, outputBytes: 4096 }
const exec = createWasmExecutor({ threads: 1 })
const tasks = wasmTaskExecutor(exec, async (h) => blobs[h], {
  memoryBytes: 64 << 20,
  timeMs: 20_000,
  outputBytes: 1 << 20,
})
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('wasm tasks (rows of runs as tensors)', () => {
  afterAll(() => exec.stop())

  it('runs each row with its own args and stdin; outputs survive encode/slice and are deterministic', async () => {
    const inputs = wasmTaskInputs(
      [
        { args: ['a', 'b'], stdin: new TextEncoder().encode('first') },
        { args: [], stdin: new Uint8Array() },
        { args: ['x'], stdin: new TextEncoder().encode('3rd') },
      ],
      limits,
    )
    const again = decodeTensors(encodeTensors(sliceBatch(inputs, 0, 3)))
    const out = await tasks.run({ modelHash: 'echo', inputs: again })
    const runs = wasmTaskOutputs(out)
    expect(runs.map((r) => text(r.stdout))).toEqual([
      'args=main.wasm,a,b\nstdin=first\n',
      'args=main.wasm\nstdin=\n',
      'args=main.wasm,x\nstdin=3rd\n',
    ])
    expect(encodeTensors(await tasks.run({ modelHash: 'echo', inputs }))).toEqual(encodeTensors(out))
  })

  it('runs the Monte-Carlo VaR example per row (different seeds give different results)', async () => {
    const portfolio = read('wasm-montecarlo/portfolio.txt')
    const inputs = wasmTaskInputs(
      [1, 2].map((seed) => ({ args: ['20000', '10', '0.99', String(seed)], stdin: portfolio })),
      { ...limits, timeMs: 10_000 },
    )
    const [a, b] = wasmTaskOutputs(await tasks.run({ modelHash: 'var', inputs }))
    expect(text(a.stdout)).toMatch(/^paths=20000\nvar=\d+\.\d\d\n/)
    expect(text(a.stdout)).not.toBe(text(b.stdout))
  })

  it.each([
    ['loop', 'WasmTimeoutError'],
    ['membomb', 'WasmMemoryLimitError'],
    ['flood', 'WasmOutputLimitError'],
  ])('%s fails the task with a clear %s, and the executor keeps serving', async (mod, name) => {
    const inputs = wasmTaskInputs([{ args: [], stdin: new Uint8Array() }], limits)
    await expect(tasks.run({ modelHash: mod, inputs })).rejects.toMatchObject({
      name,
      message: expect.stringMatching(new RegExp(`^${name}: .+ \\(run 0\\)$`)),
    })
    const ok = await tasks.run({ modelHash: 'echo', inputs })
    expect(text(wasmTaskOutputs(ok)[0].stdout)).toBe('args=main.wasm\nstdin=\n')
  })

  it('a module that reads files and the environment gets nothing (EBADF, empty env)', async () => {
    const inputs = wasmTaskInputs([{ args: [], stdin: new Uint8Array() }], limits)
    const [r] = wasmTaskOutputs(await tasks.run({ modelHash: 'snoop', inputs }))
    expect(text(r.stdout)).toBe('path_open=8 environ_count=0 environ_err=0 prestat=8\n')
  })

  it('rejects malformed task tensors and recognises wasm blobs', async () => {
    await expect(tasks.run({ modelHash: 'echo', inputs: {} })).rejects.toBeInstanceOf(InvalidWasmTaskError)
    expect(isWasm(blobs.echo)).toBe(true)
    expect(isWasm(new Uint8Array([8, 1, 2, 3]))).toBe(false)
  })
})
