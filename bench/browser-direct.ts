/**
 * The browser side of `bench:providers`' direct baseline (bundled by bench/providers-network.ts): one
 * onnxruntime-web session on `backend`, timed on one batch — what a tab's executor does per shard, without the
 * network around it.
 */
import * as ort from 'onnxruntime-web'

interface DirectResult {
  medianMs: number
  error?: string
}

async function directRun(
  model: number[],
  dims: number[],
  backend: 'wasm' | 'webgpu',
  runs: number,
  wasmUrl: string,
): Promise<DirectResult> {
  ort.env.wasm.wasmPaths = { wasm: wasmUrl }
  ort.env.wasm.numThreads = 1
  const session = await ort.InferenceSession.create(Uint8Array.from(model), {
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    ...(backend === 'webgpu' && { extra: { session: { disable_cpu_ep_fallback: '1' } } }),
  })
  try {
    const n = dims.reduce((a, b) => a * b, 1)
    const x = new ort.Tensor(
      'float32',
      Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.013)),
      dims,
    )
    const feeds = { [session.inputNames[0]]: x }
    for (let i = 0; i < 3; i++) await session.run(feeds)
    const ts: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      await session.run(feeds)
      ts.push(performance.now() - t)
    }
    ts.sort((a, b) => a - b)
    return { medianMs: ts[ts.length >> 1] }
  } finally {
    await session.release()
  }
}

;(globalThis as unknown as { directRun: typeof directRun }).directRun = directRun
