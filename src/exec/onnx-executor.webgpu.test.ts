import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { describeOnnxExecutor } from '../../test/helpers/executor-compliance.js'
import { probeExecutionProvider } from './ep-probe.js'
import { buildModel, node, valueInfo } from './graph-builder.js'
import { createOnnxExecutor, runOnnxLocally } from './onnx-executor.js'
import { maxAbsDiffMap } from './tensor-batch.js'
import { tensorFromValues, tensorToValues } from './tensor-values.js'

/**
 * The real WebGPU path of onnxruntime-node (Dawn over Vulkan) on SwiftShader's software Vulkan driver, which
 * Debian's chromium package ships (.ci/run installs it): no GPU needed, slow, but the same code as on a GPU.
 */
const ICD = '/usr/lib/chromium/vk_swiftshader_icd.json'
const haveIcd = existsSync(ICD)
if (haveIcd) process.env.VK_ICD_FILENAMES = ICD

const MLP = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/mlp.onnx', import.meta.url)))
/** float64 arithmetic: the WebGPU provider has no kernel for it, so the model must fall back to the CPU. */
const DOUBLE = buildModel({
  nodes: [node('Add', ['x', 'x'], ['y'])],
  initializers: [],
  inputs: [valueInfo('x', 'float64', ['N', 4])],
  outputs: [valueInfo('y', 'float64', ['N', 4])],
})
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe.skipIf(!haveIcd)(
  `ONNX executor on webgpu (SwiftShader${haveIcd ? '' : `: ${ICD} missing, apt-get install chromium`})`,
  () => {
    const models = new Map([
      [sha(MLP), MLP],
      [sha(DOUBLE), DOUBLE],
    ])
    const exec = createOnnxExecutor({
      threads: 2,
      getModel: async (h) => models.get(h)!,
      executionProvider: 'webgpu',
    })
    afterAll(() => exec.stop())

    it('the start-up probe finds the adapter and times it against the CPU', async () => {
      const probe = await probeExecutionProvider('webgpu', 3)
      expect(probe).toMatchObject({ ep: 'webgpu', ok: true })
      expect(probe.maxAbsDiff).toBeLessThan(1e-3)
      expect(probe.runMs).toBeGreaterThan(0)
    })

    it('runs a model on the GPU provider (one worker feeds the GPU; runs queue), with outputs equal to the CPU within 1e-5', async () => {
      const x = tensorFromValues(
        'float32',
        [64, 30],
        Array.from({ length: 64 * 30 }, (_, i) => Math.sin(i * 0.1) * 2),
      )
      const runs = await Promise.all([0, 1, 2].map(() => exec.run({ modelHash: sha(MLP), inputs: { x } })))
      const cpu = await runOnnxLocally(MLP, { x })
      for (const out of runs)
        expect(maxAbsDiffMap({ p: out.probabilities }, { p: cpu.probabilities })).toBeLessThan(1e-5)
      expect(exec.placement(sha(MLP))).toEqual({ ep: 'webgpu' })
    })

    it('a model the GPU cannot run (float64) runs on the CPU instead, and says why', async () => {
      const out = await exec.run({
        modelHash: sha(DOUBLE),
        inputs: { x: tensorFromValues('float64', [1, 4], [1, 2, 3, 4]) },
      })
      expect(tensorToValues(out.y)).toEqual([2, 4, 6, 8])
      const placed = exec.placement(sha(DOUBLE))
      expect(placed?.ep).toBe('cpu')
      expect(placed?.fallback).toMatch(/^webgpu cannot run this model \(.*CPU EP/)
      expect(
        exec
          .placements()
          .map((p) => p.ep)
          .sort(),
      ).toEqual(['cpu', 'webgpu'])
    })
  },
)

// the same contract as every ONNX executor (test/helpers/executor-compliance.ts); without the driver the
// describe above says why the webgpu tests are skipped
if (haveIcd)
  describeOnnxExecutor('onnxruntime-node on webgpu (SwiftShader)', async (getModel) => {
    const executor = createOnnxExecutor({ threads: 1, getModel, executionProvider: 'webgpu' })
    return { executor, close: () => executor.stop() }
  })
