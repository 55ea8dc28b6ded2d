import { readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { wasmRunRecord } from '../cli/wasm-result-writer.js'
import { loadJobFile } from './job-file.js'

const EXAMPLE = new URL('../../examples/wasm-montecarlo/', import.meta.url)
const portfolio = new Uint8Array(readFileSync(new URL('portfolio.txt', EXAMPLE)))

async function jobFile(json: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wasm-job-'))
  await writeFile(join(dir, 'm.wasm'), readFileSync(new URL('var.wasm', EXAMPLE)))
  await writeFile(join(dir, 'job.json'), JSON.stringify(json))
  return join(dir, 'job.json')
}
const limits = { memoryBytes: 1 << 25, timeMs: 1000, outputBytes: 256 }

describe('wasm job files', () => {
  it('loads examples/wasm-montecarlo/job.json: module, 8 runs with stdin from portfolio.txt, limits', async () => {
    const job = await loadJobFile(new URL('job.json', EXAMPLE).pathname)
    if (job.kind !== 'wasm') throw new Error('expected a wasm job')
    expect(job.module.subarray(0, 4)).toEqual(Uint8Array.of(0, 0x61, 0x73, 0x6d))
    expect(job.runs).toHaveLength(8)
    expect(job.runs[7].args).toEqual(['20000', '10', '0.99', '8'])
    expect(job.runs[0].stdin).toEqual(portfolio)
    expect(job.limits).toEqual({ memoryBytes: 33554432, timeMs: 20000, outputBytes: 4096 })
  })

  it('takes stdin as text or base64', async () => {
    const path = await jobFile({
      kind: 'wasm',
      module: 'm.wasm',
      limits,
      runs: [
        { args: ['a'], stdin: 'hi' },
        { args: [], stdinBase64: Buffer.from([0, 255]).toString('base64') },
        { args: [] },
      ],
    })
    const job = await loadJobFile(path)
    if (job.kind !== 'wasm') throw new Error('expected a wasm job')
    expect(job.runs.map((r) => r.stdin)).toEqual(['hi', Buffer.from([0, 255]), undefined])
  })

  it.each([
    [{ runs: [{ args: [], stdin: 'a', stdinFile: 'x' }] }, 'runs.0: give at most one of stdin'],
    [{ runs: [] }, 'runs:'],
    [{ limits: { ...limits, timeMs: 0 } }, 'limits.timeMs'],
    [{ model: 'm.wasm' }, 'Unrecognized key'],
    [{ module: 'missing.wasm' }, 'Cannot read module'],
  ])('names the fault in %j', async (change, expected) => {
    const path = await jobFile({ kind: 'wasm', module: 'm.wasm', limits, runs: [{ args: [] }], ...change })
    await expect(loadJobFile(path)).rejects.toThrow(expected)
  })

  it('writes stdout as text when it is UTF-8, else as base64', () => {
    expect(wasmRunRecord({ exitCode: 0, stdout: new TextEncoder().encode('var=1\n') }, 3)).toEqual({
      run: 3,
      exitCode: 0,
      stdout: 'var=1\n',
    })
    expect(wasmRunRecord({ exitCode: 1, stdout: Uint8Array.of(0xff) }, 0)).toEqual({
      run: 0,
      exitCode: 1,
      stdoutBase64: '/w==',
    })
  })
})
