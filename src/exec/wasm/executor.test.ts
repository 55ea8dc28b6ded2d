import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { AbortedError } from '../../errors.js'
import { createWasmExecutor } from './executor.js'

const hostile = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../examples/wasm-hostile/${name}.wasm`, import.meta.url)))
const limits = { memoryBytes: 4 * 1024 * 1024, timeMs: 5000, outputBytes: 1024 * 1024 }
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('createWasmExecutor', () => {
  const exec = createWasmExecutor({ threads: 1 })
  afterAll(() => exec.stop())

  const echo = async () => {
    const r = await exec.run({
      module: hostile('echo'),
      args: ['a', 'β c'],
      stdin: new TextEncoder().encode('hello stdin'),
      limits,
    })
    expect(r.exitCode).toBe(0)
    expect(text(r.stdout)).toBe('args=main.wasm,a,β c\nstdin=hello stdin\n')
  }

  it('runs a module with args and stdin', echo)

  it('stops an infinite loop at the time limit', async () => {
    const t0 = Date.now()
    await expect(
      exec.run({ module: hostile('loop'), limits: { ...limits, timeMs: 300 } }),
    ).rejects.toMatchObject({
      name: 'WasmTimeoutError',
    })
    expect(Date.now() - t0).toBeLessThan(3000)
    await echo()
  })

  it('stops a memory bomb at the memory cap', async () => {
    const err = await exec.run({ module: hostile('membomb'), limits }).catch((e) => e)
    expect(err.name).toBe('WasmMemoryLimitError')
    expect(err.message).toContain(`${limits.memoryBytes} bytes`)
    await echo()
  })

  it('gives no files and no environment', async () => {
    const r = await exec.run({ module: hostile('snoop'), limits })
    // 8 = EBADF: there is no preopened directory to open a path under, and the environment is empty.
    expect(text(r.stdout)).toBe('path_open=8 environ_count=0 environ_err=0 prestat=8\n')
    await echo()
  })

  it('stops a huge output at the output limit', async () => {
    await expect(exec.run({ module: hostile('flood'), limits })).rejects.toMatchObject({
      name: 'WasmOutputLimitError',
    })
    await echo()
  })

  it('rejects bytes that are not a WASM module', async () => {
    await expect(
      exec.run({ module: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), limits }),
    ).rejects.toMatchObject({
      name: 'InvalidWasmError',
    })
  })

  it('rejects a module whose imports the sandbox does not offer', async () => {
    // (module (import "env" "f" (func)) (memory (export "memory") 1) (func (export "_start")))
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0, 3, 2, 1, 0, 5,
      3, 1, 0, 1, 7, 19, 2, 6, 109, 101, 109, 111, 114, 121, 2, 0, 6, 95, 115, 116, 97, 114, 116, 0, 1, 10, 4,
      1, 2, 0, 11,
    ])
    const err = await exec.run({ module: bytes, limits }).catch((e) => e)
    expect(err.name).toBe('InvalidWasmError')
    expect(err.message).toContain('env.f')
  })

  it('aborts through an AbortSignal and keeps serving', async () => {
    const ac = new AbortController()
    const p = exec.run({ module: hostile('loop'), limits, signal: ac.signal })
    setTimeout(() => ac.abort(), 100)
    await expect(p).rejects.toBeInstanceOf(AbortedError)
    await echo()
  })

  it('is deterministic and validates limits', async () => {
    const a = await exec.run({ module: hostile('echo'), args: ['x'], limits })
    const b = await exec.run({ module: hostile('echo'), args: ['x'], limits })
    expect(a.stdout).toEqual(b.stdout)
    await expect(
      exec.run({ module: hostile('echo'), limits: { ...limits, timeMs: -1 } }),
    ).rejects.toMatchObject({
      name: 'InvalidInputError',
    })
  })

  it('runs tasks in parallel on several threads while one of them hangs', async () => {
    const pool = createWasmExecutor({ threads: 2 })
    try {
      const hang = pool
        .run({ module: hostile('loop'), limits: { ...limits, timeMs: 1500 } })
        .catch((e) => e.name)
      const outs = await Promise.all(
        ['1', '2', '3'].map((a) =>
          pool.run({ module: hostile('echo'), args: [a], limits }).then((r) => text(r.stdout)),
        ),
      )
      expect(outs.map((o) => o.split('\n')[0])).toEqual([
        'args=main.wasm,1',
        'args=main.wasm,2',
        'args=main.wasm,3',
      ])
      expect(await hang).toBe('WasmTimeoutError')
    } finally {
      await pool.stop()
    }
  })
})
