import * as ort from 'onnxruntime-node'
import { buildModel, node, tensorInitializer, valueInfo } from './graph-builder.js'
import { createOnnxSession, type ExecutionProvider } from './onnx-session.js'

/** What a start-up probe of an execution provider found. */
export interface ProbeResult {
  ep: ExecutionProvider
  ok: boolean
  /** Median time of one run of the probe model on `ep`, and on the CPU, in milliseconds. */
  runMs?: number
  cpuRunMs?: number
  /** Largest difference of its outputs from the CPU's. */
  maxAbsDiff?: number
  /** Why `ep` cannot be used (no adapter, no driver, wrong outputs). */
  error?: string
}

/** The probe model: a 256 → 256 → 64 MLP on a batch of 64, enough work for a GPU dispatch to matter. */
function probeModel(): Uint8Array {
  const w = (rows: number, cols: number, seed: number) =>
    Array.from({ length: rows * cols }, (_, i) => Math.sin((i + 1) * seed) * 0.1)
  return buildModel({
    nodes: [
      node('MatMul', ['x', 'W1'], ['h']),
      node('Relu', ['h'], ['r']),
      node('MatMul', ['r', 'W2'], ['y']),
    ],
    initializers: [
      tensorInitializer('W1', 'float32', [256, 256], w(256, 256, 0.37)),
      tensorInitializer('W2', 'float32', [256, 64], w(256, 64, 1.1)),
    ],
    inputs: [valueInfo('x', 'float32', [64, 256])],
    outputs: [valueInfo('y', 'float32', [64, 64])],
  })
}

/** Median run time of `session` on `feeds` over `runs` runs (after one warm-up), and its last output. */
async function time(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, runs: number) {
  let y = (await session.run(feeds)).y.data as Float32Array
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    y = (await session.run(feeds)).y.data as Float32Array
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return { ms: times[times.length >> 1], y }
}

/**
 * Probe `ep` at start: load a small MLP on it, time it against the CPU and compare the outputs (within 1e-3).
 * Never throws: a provider that cannot be used comes back `ok: false` with the reason, so the node can say
 * so and run on the CPU instead of failing (or, worse, silently running 40× slower).
 */
export async function probeExecutionProvider(ep: ExecutionProvider, runs = 5): Promise<ProbeResult> {
  const model = probeModel()
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 64 * 256 }, (_, i) => Math.cos(i * 0.01)),
    [64, 256],
  )
  const cpu = await createOnnxSession(model)
  const reference = await time(cpu, { x }, runs)
  await cpu.release()
  if (ep === 'cpu') return { ep, ok: true, runMs: reference.ms, cpuRunMs: reference.ms, maxAbsDiff: 0 }
  let session: ort.InferenceSession | undefined
  try {
    session = await createOnnxSession(model, ep)
    const r = await time(session, { x }, runs)
    let maxAbsDiff = 0
    for (let i = 0; i < r.y.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(r.y[i] - reference.y[i]))
    const ok = maxAbsDiff <= 1e-3
    return {
      ep,
      ok,
      runMs: r.ms,
      cpuRunMs: reference.ms,
      maxAbsDiff,
      ...(!ok && { error: `its outputs differ from the CPU's by ${maxAbsDiff}` }),
    }
  } catch (e) {
    const err = e as Error & { details?: string }
    const reason = (err.details ?? err.message).split('\n')[0]
    return {
      ep,
      ok: false,
      cpuRunMs: reference.ms,
      error: reason.replace(/^.*was false\. /, '').slice(0, 300),
    }
  } finally {
    await session?.release()
  }
}
