import * as ort from 'onnxruntime-web'
import { InferenceError } from '../exec/errors.js'
import { checkInputs, inspectModel, type ModelInfo } from '../exec/model-info.js'
import type { Placement } from '../exec/onnx-worker-protocol.js'
import { fromOrtResults, toOrtFeeds } from '../exec/ort-tensor.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import { type TensorMap, totalBytes } from '../exec/tensor.js'

/** Where a tab runs ONNX models: onnxruntime-web's WebAssembly CPU backend, or WebGPU. */
export type WebBackend = 'wasm' | 'webgpu'

interface Loaded {
  session: ort.InferenceSession
  info: ModelInfo
  placement: Placement
  /** Runs of one session go one after another (onnxruntime-web sessions are not re-entrant). */
  queue: Promise<unknown>
}

/**
 * Session options per backend. On `webgpu` every node must run on the GPU: onnxruntime's silent per-node
 * fallback is disabled, so a model the adapter cannot run fails to load and the tab falls back to wasm
 * visibly (the placement says why).
 */
function optionsFor(backend: WebBackend): ort.InferenceSession.SessionOptions {
  return backend === 'webgpu'
    ? {
        executionProviders: ['webgpu'],
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        extra: { session: { disable_cpu_ep_fallback: '1' } },
      }
    : { executionProviders: ['wasm'], graphOptimizationLevel: 'all', logSeverityLevel: 3 }
}

/**
 * ONNX tasks in a browser tab, on onnxruntime-web: one session per model (the last `maxModels` kept), on
 * `backend`, falling back to wasm — visibly — for a model WebGPU cannot run.
 */
export function createWebOnnxExecutor(opts: {
  backend: WebBackend
  getModel: (hash: string) => Promise<Uint8Array>
  maxModels?: number
  maxOutputBytes?: number
}): TaskExecutor & { placements(): ({ model: string } & Placement)[]; close(): Promise<void> } {
  const sessions = new Map<string, Promise<Loaded>>()
  const maxModels = opts.maxModels ?? 4
  const load = async (hash: string): Promise<Loaded> => {
    const bytes = await opts.getModel(hash)
    const info = inspectModel(bytes)
    const create = (backend: WebBackend) => ort.InferenceSession.create(bytes, optionsFor(backend))
    if (opts.backend === 'wasm')
      return { session: await create('wasm'), info, placement: { ep: 'wasm' }, queue: Promise.resolve() }
    try {
      return { session: await create('webgpu'), info, placement: { ep: 'webgpu' }, queue: Promise.resolve() }
    } catch (e) {
      const fallback = `webgpu cannot run this model: ${(e as Error).message.slice(0, 300)}`
      console.warn(`model ${hash.slice(0, 12)} runs on wasm: ${fallback}`)
      return {
        session: await create('wasm'),
        info,
        placement: { ep: 'wasm', fallback },
        queue: Promise.resolve(),
      }
    }
  }
  const loaded = (hash: string) => {
    let s = sessions.get(hash)
    if (!s) {
      s = load(hash)
      s.catch(() => sessions.delete(hash))
      sessions.set(hash, s)
      if (sessions.size > maxModels) {
        const [oldest, old] = sessions.entries().next().value!
        sessions.delete(oldest)
        old.then((l) => l.queue.then(() => l.session.release())).catch(() => {})
      }
    }
    return s
  }
  const placements = new Map<string, Placement>()
  return {
    async run({ modelHash, inputs }) {
      const l = await loaded(modelHash)
      placements.set(modelHash, l.placement)
      checkInputs(l.info, inputs)
      const run = l.queue.then(() => runOnce(l.session, inputs, opts.maxOutputBytes))
      l.queue = run.catch(() => {})
      return run
    },
    placement: (hash) => placements.get(hash),
    placements: () => [...placements].map(([model, p]) => ({ model, ...p })),
    async close() {
      for (const s of sessions.values()) await s.then((l) => l.session.release()).catch(() => {})
      sessions.clear()
    },
  }
}

async function runOnce(session: ort.InferenceSession, inputs: TensorMap, maxOutputBytes = 256 * 1024 * 1024) {
  let results: ort.InferenceSession.ReturnType
  try {
    results = await session.run(toOrtFeeds(inputs) as never)
  } catch (e) {
    throw new InferenceError('onnxruntime-web failed to run the model', {
      details: (e as Error).message,
      cause: e,
    })
  }
  const outputs = fromOrtResults(results as never)
  const total = totalBytes(outputs)
  if (total > maxOutputBytes) throw new InferenceError(`outputs of ${total} bytes exceed ${maxOutputBytes}`)
  return outputs
}
