import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWasmExecutor, type WasmLimits } from '../../src/exec/wasm/executor.js'
import { connect } from '../../src/sdk/client.js'
import { startByzantineProvider } from '../helpers/byzantine-network.js'
import { runCli, startNetwork, type TestNetwork, type TestNode } from '../helpers/network.js'

const EXAMPLES = resolve(import.meta.dirname, '../../examples')
const limits: WasmLimits = { memoryBytes: 32 * 1024 * 1024, timeMs: 20_000, outputBytes: 4096 }
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('wasm jobs on the market, across separate processes on 127.0.0.1', () => {
  let net: TestNetwork
  let byz: TestNode | undefined
  let module: Uint8Array
  let portfolio: Uint8Array
  const local = createWasmExecutor()
  beforeAll(async () => {
    module = new Uint8Array(await readFile(join(EXAMPLES, 'wasm-montecarlo/var.wasm')))
    portfolio = new Uint8Array(await readFile(join(EXAMPLES, 'wasm-montecarlo/portfolio.txt')))
    net = await startNetwork({ providers: 3 })
  })
  afterAll(async () => {
    await local.stop()
    await byz?.stop()
    await net?.stop()
  })

  it('runs the AssemblyScript Monte-Carlo module 64 times on three providers; every stdout equals a local run byte for byte', async () => {
    const runs = Array.from({ length: 64 }, (_, i) => ({
      args: ['5000', '10', '0.99', String(i + 1)],
      stdin: portfolio,
    }))
    const client = await connect({ dataDir: net.requester.dataDir })
    const results = await client.runWasm({ module, runs, limits, shardSize: 4 })
    expect(results).toHaveLength(64)
    for (const [i, run] of runs.entries()) {
      const want = await local.run({ module, args: run.args, stdin: run.stdin, limits })
      expect(results[i].exitCode, `run ${i}`).toBe(want.exitCode)
      expect(Buffer.from(results[i].stdout).equals(Buffer.from(want.stdout)), `run ${i}`).toBe(true)
    }
    expect(text(results[0].stdout)).toMatch(/^paths=5000\nvar=\d+\.\d\d\n/)
    // different seeds give different answers, so the comparison above is not vacuous
    expect(new Set(results.map((r) => text(r.stdout))).size).toBe(64)
    const job = (await client.jobs())[0]
    expect(job.kind).toBe('wasm')
    expect(job.status).toBe('done')
    expect(job.samplesDone).toBe(64)
    expect(job.providers.reduce((a, p) => a + p.samples, 0)).toBe(64)
    // honest providers agree to the byte: no result lost an (exact-hash) vote
    expect(job.verification?.invalid).toBe(0)
    // units are deterministic: ceil(timeMs / 1000) = 20 per run, paid per accepted task (replicas included)
    expect(job.costPerSample).toBe(20)
    expect(job.unitsDone % 20).toBe(0)
    expect(job.unitsDone).toBeGreaterThanOrEqual(64 * 20)
  })

  it('`mutirao submit` runs examples/wasm-montecarlo/job.json and writes each run as NDJSON', async () => {
    const out = join(net.root, 'var-runs.ndjson')
    const r = await runCli(
      [
        'submit',
        join(EXAMPLES, 'wasm-montecarlo/job.json'),
        '--data-dir',
        net.requester.dataDir,
        '--out',
        out,
        '--json',
      ],
      { timeoutMs: 170_000 },
    )
    expect(r.code, r.stderr).toBe(0)
    const lines = (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(lines).toHaveLength(8)
    for (const [i, line] of lines.entries()) {
      const want = await local.run({
        module,
        args: ['20000', '10', '0.99', String(i + 1)],
        stdin: portfolio,
        limits,
      })
      expect(line).toEqual({ run: i, exitCode: 0, stdout: text(want.stdout) })
    }
    const jobId = JSON.parse(r.stdout).jobId as string
    const again = join(net.root, 'var-runs.json')
    const res = await runCli(['result', jobId, '--out', again, '--data-dir', net.requester.dataDir, '--json'])
    expect(res.code, res.stderr).toBe(0)
    expect(JSON.parse(await readFile(again, 'utf8'))).toEqual(lines)
  })

  it('refuses a module that is not WebAssembly with InvalidWasmError, at submission', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const notWasm = new Uint8Array(await readFile(join(EXAMPLES, 'wdbc-inference/model.onnx')))
    const err = await client.submitWasm({ module: notWasm, runs: [{ args: [] }], limits }).catch((e) => e)
    expect(err.name).toBe('ApiError')
    expect(err.status).toBe(400)
    expect(err.remoteName).toBe('InvalidWasmError')
    expect(err.message).toContain('magic')
  })

  it('fails an endless loop with WasmTimeoutError on the providers, which keep serving', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const loop = new Uint8Array(await readFile(join(EXAMPLES, 'wasm-hostile/loop.wasm')))
    const err = await client
      .runWasm({
        module: loop,
        runs: [{ args: [] }, { args: [] }],
        limits: { ...limits, timeMs: 500 },
        shardSize: 1,
      })
      .catch((e) => e)
    expect(err.message).toMatch(/failed: .*WasmTimeoutError/)
    for (const p of net.providers) expect(p.proc.exitCode, p.name).toBeNull()
    // the same providers still run good modules
    const [ok] = await client.runWasm({
      module,
      runs: [{ args: ['1000', '10', '0.99', '7'], stdin: portfolio }],
      limits,
    })
    const want = await local.run({ module, args: ['1000', '10', '0.99', '7'], stdin: portfolio, limits })
    expect(Buffer.from(ok.stdout).equals(Buffer.from(want.stdout))).toBe(true)
  })

  it('outvotes a provider that returns wrong stdout: replicated runs compare by exact hash', async () => {
    byz = await startByzantineProvider(net, 'byzantine', 'always-wrong')
    const client = await connect({ dataDir: net.requester.dataDir })
    // wait until the requester knows the new provider from its capacity adverts, so it is asked too
    const known = async () =>
      ((await client.node()) as { knownProviders: { peerId: string }[] }).knownProviders.some(
        (p) => p.peerId === byz?.peerId,
      )
    for (let i = 0; i < 120 && !(await known()); i++) await new Promise((r) => setTimeout(r, 250))
    const runs = Array.from({ length: 24 }, (_, i) => ({
      args: ['2000', '10', '0.99', String(100 + i)],
      stdin: portfolio,
    }))
    const results = await client.runWasm({
      module,
      runs,
      limits,
      shardSize: 2,
      verification: { policy: 'replicate', k: 3 },
      providers: { min: 3, max: 4 },
    })
    for (const [i, run] of runs.entries()) {
      const want = await local.run({ module, args: run.args, stdin: run.stdin, limits })
      expect(Buffer.from(results[i].stdout).equals(Buffer.from(want.stdout)), `run ${i}`).toBe(true)
    }
    const job = (await client.jobs())[0]
    // the corrupting provider's bytes were never kept: a quorum of exact hashes always outvoted them
    expect(job.providers.map((p) => p.provider)).not.toContain(byz.peerId)
    expect(job.status).toBe('done')
    // …and it did take part: it signed an agreement for this job
    expect(byz.logs.some((l) => l.includes('agreement signed'))).toBe(true)
  })
})
