import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import * as ort from 'onnxruntime-node'
import { type ProbeResult, probeExecutionProvider } from '../exec/ep-probe.js'
import type { ExecutionProvider } from '../exec/onnx-session.js'
import type { Logger } from '../log.js'

/** The probe model's batch: its score is this many rows over its median run time. */
const PROBE_ROWS = 64

/** One execution provider of this machine as probed at start (`status --json` → `executionProviders`). */
export interface ExecutionProviderInfo {
  name: 'cpu' | 'webgpu' | 'cuda'
  /** Whether models can run there (probe passed). */
  available: boolean
  /** What runs the work: the CPU model, the Vulkan driver and GPUs behind WebGPU. */
  adapter?: string
  /** Probe-model rows per second (a 256→256→64 MLP on 64 rows): larger is faster. */
  score?: number
  runMs?: number
  /** Largest difference of its probe outputs from the CPU's. */
  maxAbsDiff?: number
  /** Why it cannot be used. */
  error?: string
}

/** Where a provider runs ONNX models, and why. */
export interface Execution {
  /** What the owner asked for. */
  preferred: ExecutionProvider
  /** What runs: the preferred provider when its probe passed, else the CPU. */
  active: ExecutionProvider
  /** The start-up probe of the preferred provider (absent for the CPU). */
  probe?: ProbeResult
  /** Every execution provider onnxruntime offers here, probed. */
  providers: ExecutionProviderInfo[]
}

/**
 * The Vulkan driver WebGPU (Dawn) would use: the ICD files named by `VK_ICD_FILENAMES`/`VK_DRIVER_FILES`
 * (SwiftShader's software driver in tests), else the system's; with the GPUs this machine reports.
 */
export function webgpuAdapterHint(env: NodeJS.ProcessEnv, gpus: readonly string[]): string {
  const files = (env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES ?? '').split(':').filter(Boolean)
  const drivers = files.map((f) => {
    try {
      const icd = JSON.parse(readFileSync(f, 'utf8')) as { ICD?: { library_path?: string } }
      return basename(icd.ICD?.library_path ?? f)
    } catch {
      return basename(f)
    }
  })
  const driver = drivers.length ? `Vulkan ${drivers.join(', ')}` : 'system Vulkan driver'
  return gpus.length ? `${driver} (${gpus.join(', ')})` : driver
}

const info = (
  name: ExecutionProviderInfo['name'],
  adapter: string,
  p: ProbeResult,
): ExecutionProviderInfo => ({
  name,
  available: p.ok,
  adapter,
  ...(p.runMs !== undefined && { runMs: p.runMs, score: Math.round((PROBE_ROWS * 1000) / p.runMs) }),
  ...(p.maxAbsDiff !== undefined && { maxAbsDiff: p.maxAbsDiff }),
  ...(p.error && { error: p.error }),
})

/**
 * Probe every execution provider at start (CPU, WebGPU; CUDA is listed, unavailable, when onnxruntime-node
 * came without its CUDA libraries), and choose: a preferred GPU whose probe fails (no adapter, no driver,
 * wrong outputs) is not used, and the node says so — in its log, `status` and capacity adverts — and runs on
 * the CPU.
 */
export async function chooseExecutionProvider(
  preferred: ExecutionProvider,
  log: Logger,
  machine: { cpu: string; gpus: readonly string[]; env?: NodeJS.ProcessEnv } = { cpu: 'cpu', gpus: [] },
): Promise<Execution> {
  const env = machine.env ?? process.env
  const cpu = await probeExecutionProvider('cpu')
  // WebGPU is probed when it may exist: asked for, a GPU detected, or a Vulkan driver named
  const worthProbing =
    preferred === 'webgpu' || machine.gpus.length > 0 || Boolean(env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES)
  const webgpu: ProbeResult = worthProbing
    ? await probeExecutionProvider('webgpu')
    : {
        ep: 'webgpu',
        ok: false,
        error: 'not probed: no GPU detected and no Vulkan driver named (VK_DRIVER_FILES)',
      }
  const backends = ort.listSupportedBackends?.() ?? []
  const cuda = backends.find((b) => b.name === 'cuda')
  const providers = [
    info('cpu', machine.cpu, cpu),
    info('webgpu', webgpuAdapterHint(env, machine.gpus), webgpu),
    ...(cuda && !cuda.bundled
      ? [
          {
            name: 'cuda' as const,
            available: false,
            error:
              'onnxruntime-node was installed without its CUDA libraries (reinstall it with ONNXRUNTIME_NODE_INSTALL=cuda12)',
          },
        ]
      : []),
  ]
  if (preferred === 'cpu') return { preferred, active: 'cpu', providers }
  if (!webgpu.ok) {
    log.warn({ ep: preferred, reason: webgpu.error }, `${preferred} unavailable: running models on the CPU`)
    return { preferred, active: 'cpu', probe: webgpu, providers }
  }
  log.info(
    { ep: preferred, runMs: webgpu.runMs, cpuRunMs: webgpu.cpuRunMs, maxAbsDiff: webgpu.maxAbsDiff },
    `running models on ${preferred}`,
  )
  return { preferred, active: preferred, probe: webgpu, providers }
}
