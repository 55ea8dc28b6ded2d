import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatJobSummary } from '../../src/cli/job-summary.js'
import { buildModel, node, valueInfo } from '../../src/exec/graph-builder.js'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../../src/exec/tensor-values.js'
import { connect } from '../../src/sdk/client.js'
import { startNetwork, type TestNetwork, type TestNode } from '../helpers/network.js'
import { wdbcFeatures } from '../helpers/wdbc.js'

/** SwiftShader's software Vulkan driver, from Debian's chromium package (.ci/run installs it). */
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json'
const haveIcd = existsSync(ICD)
const MLP = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
/** float64 arithmetic: no WebGPU kernel, so the GPU provider must run it on its CPU and say so. */
const DOUBLE = buildModel({
  nodes: [node('Add', ['x', 'x'], ['y'])],
  initializers: [],
  inputs: [valueInfo('x', 'float64', ['N', 4])],
  outputs: [valueInfo('y', 'float64', ['N', 4])],
})

interface ExecutionStatus {
  executionProviders: { name: string; available: boolean; adapter?: string; score?: number; error?: string }[]
  provider: {
    execution?: { preferred: string; active: string; fallbacks: { model: string; fallback?: string }[] }
  }
}

describe.skipIf(!haveIcd)(
  `a GPU provider (webgpu on SwiftShader) and a CPU provider share jobs${haveIcd ? '' : ` (skipped: ${ICD} missing; apt-get install chromium)`}`,
  () => {
    let net: TestNetwork
    let cpu: TestNode
    let gpu: TestNode
    beforeAll(async () => {
      // the driver is visible to every provider; only the one started with --gpu webgpu uses it
      net = await startNetwork({ providers: 0, env: { VK_ICD_FILENAMES: ICD } })
      cpu = await net.addProvider([])
      gpu = await net.addProvider(['--gpu', 'webgpu'])
    }, 120_000)
    afterAll(async () => {
      await net?.stop()
    })

    it('both work on a job: outputs equal CPU onnxruntime within 1e-5, GPU and CPU results cross-checked within tolerance, the summary names each execution provider, nobody outvoted', async () => {
      const gpuStatus = (await (await connect({ dataDir: gpu.dataDir })).node()) as unknown as ExecutionStatus
      expect(gpuStatus.provider.execution).toMatchObject({ preferred: 'webgpu', active: 'webgpu' })
      // every execution provider probed at start, with its adapter and score
      const eps = Object.fromEntries(gpuStatus.executionProviders.map((e) => [e.name, e]))
      expect(eps.cpu).toMatchObject({ available: true, score: expect.any(Number) })
      expect(eps.webgpu).toMatchObject({ available: true, adapter: expect.stringMatching(/swiftshader/i) })
      expect(eps.webgpu.score).toBeGreaterThan(0)
      // the CPU provider sees the same driver (VK_ICD_FILENAMES is set for every node): it lists webgpu too
      const cpuStatus = (await (await connect({ dataDir: cpu.dataDir })).node()) as unknown as ExecutionStatus
      expect(cpuStatus.executionProviders.map((e) => e.name)).toContain('webgpu')
      const model = new Uint8Array(await readFile(MLP))
      const inputs = { x: await wdbcFeatures(400) }
      const client = await connect({ dataDir: net.requester.dataDir })
      // the adaptive policy cross-checks new providers' shards: GPU answers are compared with CPU answers
      const outputs = await client.infer({ model, inputs, shardSize: 25, providers: { min: 2, max: 2 } })
      const local = await runOnnxLocally(model, inputs)
      expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-5)
      expect(tensorToValues(outputs.label)).toEqual(tensorToValues(local.label))
      const job = (await client.jobs())[0]
      expect(job.status).toBe('done')
      const ran = Object.fromEntries(job.providers.map((w) => [w.provider, w.executionProviders]))
      expect(ran).toEqual({ [gpu.peerId]: ['webgpu'], [cpu.peerId]: ['cpu'] })
      expect(job.verification).toMatchObject({ invalid: 0, excluded: [] })
      expect(job.verification?.shards?.checked).toBeGreaterThan(0)
      const summary = formatJobSummary(job)
      for (const w of job.providers) expect(summary).toContain(`on ${w.executionProviders![0]}`)
      expect(cpu.peerId).not.toBe(gpu.peerId)
    }, 180_000)

    it('a job that needs a GPU (providers.executionProvider: webgpu) goes to the GPU provider only', async () => {
      const model = new Uint8Array(await readFile(MLP))
      const inputs = { x: await wdbcFeatures(200) }
      const client = await connect({ dataDir: net.requester.dataDir })
      const outputs = await client.infer({
        model,
        inputs,
        shardSize: 25,
        providers: { min: 1, max: 2, executionProvider: 'webgpu' },
        verification: { policy: 'none' },
      })
      const local = await runOnnxLocally(model, inputs)
      expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-5)
      const job = (await client.jobs())[0]
      expect(job.providers.map((w) => [w.provider, w.executionProviders])).toEqual([[gpu.peerId, ['webgpu']]])
    }, 180_000)

    it('a job that prefers an execution provider (providers.prefer) goes to it when both offer: webgpu, then cpu', async () => {
      const client = await connect({ dataDir: net.requester.dataDir })
      // the requester learns where each provider runs models from its capacity adverts
      for (let i = 0; i < 100; i++) {
        const known = ((await client.node()) as { knownProviders: { executionProvider: string }[] })
          .knownProviders
        if (known.length >= 2) break
        await new Promise((r) => setTimeout(r, 200))
      }
      const model = new Uint8Array(await readFile(MLP))
      const inputs = { x: await wdbcFeatures(100) }
      for (const [ep, who] of [
        ['webgpu', gpu],
        ['cpu', cpu],
      ] as const) {
        const before = (await client.jobs()).length
        await client.infer({
          model,
          inputs,
          shardSize: 25,
          providers: { min: 1, max: 1, prefer: { executionProvider: ep } },
          verification: { policy: 'none' },
        })
        const jobs = await client.jobs()
        expect(jobs.length).toBe(before + 1)
        const job = jobs[0]
        expect(job.providers.map((w) => [w.provider, w.executionProviders])).toEqual([[who.peerId, [ep]]])
      }
    }, 180_000)

    it('a model the GPU cannot run (float64) runs on the GPU provider’s CPU, and both the job and status say why', async () => {
      const n = 200
      const x = tensorFromValues(
        'float64',
        [n, 4],
        Array.from({ length: n * 4 }, (_, i) => i / 7),
      )
      const client = await connect({ dataDir: net.requester.dataDir })
      const seen: string[] = []
      const outputs = await client.infer({
        model: DOUBLE,
        inputs: { x },
        shardSize: 25,
        providers: { min: 2, max: 2 },
        verification: { policy: 'replicate' },
        // while the job runs, every accepted answer reports where it ran (replicas included)
        onProgress: (p) => {
          const w = p.providers.find((w) => w.provider === gpu.peerId)
          if (w?.epFallback) seen.push(`${w.executionProviders}: ${w.epFallback}`)
          if (p.status === 'running' && p.providers.length && seen.length === 1)
            seen.push(formatJobSummary(p))
        },
      })
      expect(seen[0]).toMatch(/^cpu: webgpu cannot run this model/)
      expect(seen.join('\n')).toMatch(/fell back to the CPU: webgpu cannot run this model/)
      expect(tensorToValues(outputs.y)).toEqual(Array.from({ length: n * 4 }, (_, i) => (2 * i) / 7))
      const job = (await client.jobs())[0]
      // stored: the kept shards ran on CPUs, the GPU node's included
      for (const w of job.providers) expect(w.executionProviders).toEqual(['cpu'])
      const status = (await (await connect({ dataDir: gpu.dataDir })).node()) as unknown as ExecutionStatus
      expect(status.provider.execution?.fallbacks).toEqual([
        expect.objectContaining({ fallback: expect.stringMatching(/^webgpu cannot run this model/) }),
      ])
    }, 180_000)
  },
)
