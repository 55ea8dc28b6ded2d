/**
 * `bench:providers`' network rows: one model's samples/s through Mutirão — a job run by a single provider of
 * each kind (node CPU, node webgpu, browser-tab wasm, browser-tab webgpu) — against a direct onnxruntime run on
 * the same backend in the same run (onnxruntime-node in this process, onnxruntime-web in a page).
 */

import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import * as ort from 'onnxruntime-node'
import type { Browser } from 'playwright-core'
import { webgpuAdapterHint } from '../src/provider/execution-choice.js'
import { connect } from '../src/sdk/client.js'
import { launchChromium, openProviderTab } from '../test/helpers/browser-tabs.js'
import { startNetwork } from '../test/helpers/network.js'
import { wdbcFeatures } from '../test/helpers/wdbc.js'

/** One row: `samplesPerSecond` through the network, `directSamplesPerSecond` straight on the backend. */
export interface ProviderRow {
  samplesPerSecond: number
  directSamplesPerSecond: number
  adapter: string
  /** samplesPerSecond ÷ directSamplesPerSecond. */
  ratio: number
}

const SHARD = 500

async function directNode(model: Uint8Array, ep: 'cpu' | 'webgpu', runs: number): Promise<number> {
  const s = await ort.InferenceSession.create(model, {
    executionProviders: [ep],
    logSeverityLevel: 3,
    ...(ep === 'webgpu' && { extra: { session: { disable_cpu_ep_fallback: '1' } } }),
  })
  try {
    const x = await wdbcFeatures(SHARD)
    const feeds = {
      [s.inputNames[0]]: new ort.Tensor('float32', new Float32Array(x.data.slice().buffer), x.dims),
    }
    for (let i = 0; i < 3; i++) await s.run(feeds)
    const ts: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      await s.run(feeds)
      ts.push(performance.now() - t)
    }
    ts.sort((a, b) => a - b)
    return (SHARD * 1000) / ts[ts.length >> 1]
  } finally {
    await s.release()
  }
}

/** A page with bench/browser-direct.ts, served cross-origin isolated beside onnxruntime-web's binary. */
async function directPageServer() {
  const dir = await mkdtemp(join(tmpdir(), 'mutirao-direct-'))
  await build({
    entryPoints: [new URL('./browser-direct.ts', import.meta.url).pathname],
    outfile: join(dir, 'direct.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  })
  const files: Record<string, [string, string]> = {
    '/': ['text/html', '<!doctype html><script type="module" src="/direct.js"></script>'],
    '/direct.js': ['text/javascript', join(dir, 'direct.js')],
    '/ort.wasm': ['application/wasm', 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm'],
  }
  const server = createServer(async (req, res) => {
    const f = files[req.url ?? '']
    if (!f) return void res.writeHead(404).end()
    res.writeHead(200, {
      'content-type': f[0],
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    })
    res.end(req.url === '/' ? f[1] : await readFile(f[1]))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await new Promise((r) => server.close(r))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function directBrowser(
  browser: Browser,
  url: string,
  model: Uint8Array,
  backend: 'wasm' | 'webgpu',
  runs: number,
) {
  const page = await browser.newPage()
  try {
    await page.goto(url)
    await page.waitForFunction(() => 'directRun' in globalThis)
    const x = await wdbcFeatures(SHARD)
    const r = await page.evaluate(
      ([m, dims, b, n, w]) =>
        (
          globalThis as unknown as {
            directRun(...a: unknown[]): Promise<{ medianMs: number }>
          }
        ).directRun(m, dims, b, n, w),
      [Array.from(model), x.dims, backend, runs, `${url}ort.wasm`] as const,
    )
    return (SHARD * 1000) / r.medianMs
  } finally {
    await page.close()
  }
}

/**
 * Run the four rows on `samples` WDBC rows (shards of 500): each provider alone on the network, a warm-up job
 * (the model loads), then the timed job; samples/s from the job's creation (hiring included) to its end.
 */
export async function providerRows(samples: number, runs: number): Promise<Record<string, ProviderRow>> {
  const model = new Uint8Array(await readFile(new URL('../test/fixtures/models/mlp.onnx', import.meta.url)))
  // node providers see the Vulkan driver this process was given (providers.ts defaults it to SwiftShader)
  const vulkan = Object.fromEntries(
    ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES'].filter((k) => process.env[k]).map((k) => [k, process.env[k]]),
  )
  const net = await startNetwork({ providers: 0, env: vulkan })
  const browser = await launchChromium()
  const direct = await directPageServer()
  const client = await connect({ dataDir: net.requester.dataDir })
  const x = await wdbcFeatures(samples)
  const timedJob = async () => {
    const job = { model, inputs: { x }, shardSize: SHARD, providers: { min: 1, max: 1 } }
    await client.infer({ ...job, verification: { policy: 'none' } })
    const { jobId } = await client.submit({ ...job, verification: { policy: 'none' } })
    const done = await client.wait(jobId)
    return (samples * 1000) / ((done.finishedAt ?? Date.now()) - done.createdAt)
  }
  const rows: Record<string, ProviderRow> = {}
  const row = (samplesPerSecond: number, directSamplesPerSecond: number, adapter: string): ProviderRow => ({
    samplesPerSecond: Math.round(samplesPerSecond),
    directSamplesPerSecond: Math.round(directSamplesPerSecond),
    adapter,
    ratio: Number((samplesPerSecond / directSamplesPerSecond).toFixed(3)),
  })
  try {
    for (const ep of ['cpu', 'webgpu'] as const) {
      const p = await net.addProvider(ep === 'webgpu' ? ['--gpu', 'webgpu'] : [])
      const through = await timedJob()
      await p.stop()
      net.providers.splice(net.providers.indexOf(p), 1)
      const adapter =
        ep === 'cpu' ? `${cpus()[0]?.model.trim()} × ${cpus().length}` : webgpuAdapterHint(vulkan, [])
      rows[ep] = row(through, await directNode(model, ep, runs), adapter)
    }
    for (const backend of ['wasm', 'webgpu'] as const) {
      const tab = await openProviderTab(browser, net.requester.apiUrl, { backend })
      const through = await timedJob()
      const { gpu } = await tab.state()
      await tab.close()
      const adapter = backend === 'wasm' ? `WebAssembly in chromium, 1 thread` : (gpu?.adapter ?? 'unknown')
      rows[backend === 'wasm' ? 'browserWasm' : 'browserWebgpu'] = row(
        through,
        await directBrowser(browser, direct.url, model, backend, runs),
        adapter,
      )
    }
  } finally {
    await direct.close()
    await browser.close()
    await net.stop()
  }
  return rows
}
