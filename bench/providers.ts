/**
 * Execution providers benchmark (issue 12): the same models on onnxruntime-node's CPU provider (all cores, the
 * baseline) and its WebGPU provider, in one run: median time per run and the largest output difference.
 * Without a GPU, point Vulkan at SwiftShader (`VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json`):
 * the real code path on a software adapter, so the ratios say nothing about GPUs there. On a GPU machine,
 * point it at the driver's ICD. Writes the "## Execution providers" section of BENCHMARKS.md.
 * Then one model (the WDBC MLP) through the network on each kind of provider — node CPU, node webgpu, a browser
 * tab on wasm and one on webgpu (headless chromium) — against a direct onnxruntime run on the same backend
 * (bench/providers-network.ts).
 * Run: npm run bench:providers (`-- --json`: one JSON object keyed cpu, webgpu, browserWasm, browserWebgpu;
 * `-- --runs N`, default 20; `-- --samples N`, default 40000)
 */
import '../src/polyfill.js'
import { existsSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import * as ort from 'onnxruntime-node'
import { buildModel, node, tensorInitializer, valueInfo } from '../src/exec/graph-builder.js'
import { writeBenchmarkSection } from './benchmarks-md.js'
import { providerRows } from './providers-network.js'

const json = process.argv.includes('--json')
const at = process.argv.indexOf('--runs')
const RUNS = at > 0 ? Number(process.argv[at + 1]) : 20
const sat = process.argv.indexOf('--samples')
const SAMPLES = sat > 0 ? Number(process.argv[sat + 1]) : 40_000
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json'
if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER)) {
  // before onnxruntime loads Vulkan: no driver named, so the software one (set VK_DRIVER_FILES for a GPU)
  process.env.VK_ICD_FILENAMES = SWIFTSHADER
  process.stderr.write(`no Vulkan driver named: webgpu runs on SwiftShader (${SWIFTSHADER})\n`)
}
const icd = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES ?? ''
const adapter = icd.includes('swiftshader') ? 'SwiftShader (software Vulkan, no GPU)' : icd || 'system Vulkan'

/** An MLP with the given layer widths (ReLU between), weights from a fixed sine pattern. */
function mlp(widths: number[]): Uint8Array {
  const layers = widths.slice(1).map((w, i) => [widths[i], w] as const)
  return buildModel({
    nodes: layers.flatMap(([,], i) => [
      node('MatMul', [i === 0 ? 'x' : `r${i}`, `W${i}`], [`h${i}`]),
      ...(i < layers.length - 1 ? [node('Relu', [`h${i}`], [`r${i + 1}`])] : []),
    ]),
    initializers: layers.map(([a, b], i) =>
      tensorInitializer(
        `W${i}`,
        'float32',
        [a, b],
        Array.from({ length: a * b }, (_, k) => Math.sin((k + 1) * (0.37 + i)) / Math.sqrt(a)),
      ),
    ),
    inputs: [valueInfo('x', 'float32', ['N', widths[0]])],
    outputs: [valueInfo(`h${layers.length - 1}`, 'float32', ['N', widths.at(-1)!])],
  })
}

const models = [
  {
    name: 'WDBC MLP (test/fixtures/models/mlp.onnx)',
    bytes: new Uint8Array(readFileSync(new URL('../test/fixtures/models/mlp.onnx', import.meta.url))),
    shape: [569, 30],
  },
  { name: 'MLP 512→2048→2048→256', bytes: mlp([512, 2048, 2048, 256]), shape: [128, 512] },
]

interface EpResult {
  medianMs?: number
  createMs?: number
  maxAbsDiff?: number
  error?: string
}

async function time(bytes: Uint8Array, ep: 'cpu' | 'webgpu', x: ort.Tensor, ref?: Float32Array) {
  const r: EpResult = {}
  let s: ort.InferenceSession | undefined
  try {
    const t0 = performance.now()
    s = await ort.InferenceSession.create(bytes, {
      executionProviders: [ep],
      logSeverityLevel: 3,
      ...(ep === 'webgpu' && { extra: { session: { disable_cpu_ep_fallback: '1' } } }),
    })
    r.createMs = performance.now() - t0
    const feeds = { [s.inputNames[0]]: x }
    let out = await s.run(feeds)
    for (let i = 0; i < 2; i++) out = await s.run(feeds)
    const ts: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now()
      out = await s.run(feeds)
      ts.push(performance.now() - t)
    }
    ts.sort((a, b) => a - b)
    r.medianMs = ts[ts.length >> 1]
    const y = out[s.outputNames[0]].data as Float32Array
    if (ref) r.maxAbsDiff = y.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i])), 0)
    return { r, y }
  } catch (e) {
    r.error = String((e as Error).message)
      .split('\n')[0]
      .slice(0, 200)
    return { r, y: undefined }
  } finally {
    await s?.release()
  }
}

const started = Date.now()
const results = []
for (const m of models) {
  const n = m.shape.reduce((a, b) => a * b, 1)
  const x = new ort.Tensor(
    'float32',
    Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.013)),
    m.shape,
  )
  const cpu = await time(m.bytes, 'cpu', x)
  const gpu = await time(m.bytes, 'webgpu', x, cpu.y as Float32Array | undefined)
  results.push({
    model: m.name,
    shape: m.shape,
    cpu: cpu.r,
    webgpu: gpu.r,
    cpuOverWebgpu: cpu.r.medianMs && gpu.r.medianMs ? cpu.r.medianMs / gpu.r.medianMs : null,
  })
}
const rows = await providerRows(SAMPLES, RUNS)
const result = { ...rows, adapter, runs: RUNS, samples: SAMPLES, cores: cpus().length, models: results }
const f = (x?: number) => (x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1))
const table = [
  '| model (input) | CPU provider, all cores (baseline) | webgpu provider | CPU ÷ webgpu | max abs diff |',
  '|---|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.model} [${r.shape.join(', ')}] | ${f(r.cpu.medianMs)} ms | ${r.webgpu.error ? `failed: ${r.webgpu.error}` : `${f(r.webgpu.medianMs)} ms`} | ${r.cpuOverWebgpu ? `${r.cpuOverWebgpu < 0.1 ? r.cpuOverWebgpu.toExponential(1) : r.cpuOverWebgpu.toFixed(2)}×` : '–'} | ${r.webgpu.maxAbsDiff?.toExponential(1) ?? '–'} |`,
  ),
].join('\n')
const NAMES: Record<string, string> = {
  cpu: 'node, CPU provider',
  webgpu: 'node, webgpu provider',
  browserWasm: 'browser tab, wasm',
  browserWebgpu: 'browser tab, webgpu',
}
const network = [
  '| provider | adapter | through Mutirão (samples/s) | direct onnxruntime (samples/s) | through ÷ direct | added per shard |',
  '|---|---|---:|---:|---:|---:|',
  ...Object.entries(rows).map(
    ([k, r]) =>
      `| ${NAMES[k]} | ${r.adapter} | ${r.samplesPerSecond} | ${r.directSamplesPerSecond} | ${r.ratio.toFixed(3)} | ${f(((SAMPLES / r.samplesPerSecond - SAMPLES / r.directSamplesPerSecond) * 1000) / (SAMPLES / 500))} ms |`,
  ),
].join('\n')
if (json) console.log(JSON.stringify(result))
else console.log(`adapter: ${adapter}\n\n${table}\n\n${network}`)
writeBenchmarkSection(
  'Execution providers',
  [
    '## Execution providers',
    '',
    `\`npm run bench:providers\` (${new Date().toISOString().slice(0, 10)}; ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}; adapter: ${adapter}; ${((Date.now() - started) / 1000).toFixed(1)} s).`,
    `Median of ${RUNS} runs after 3 warm-up runs, float32; the webgpu session may not fall back to the CPU per node`,
    '(as the node runs it). On SwiftShader the webgpu column measures a software rasteriser, not a GPU: it shows the',
    'code path works and its outputs match, nothing about speed. The GPU issue records a run on an NVIDIA H200.',
    '',
    table,
    '',
    `One model through the network: ${SAMPLES} WDBC rows in shards of 500 on a single provider of each kind (a`,
    "warm-up job first, so the model is loaded), samples/s from the job's creation — hiring included — to its end;",
    'against one direct onnxruntime run of a 500-row shard on the same backend (onnxruntime-node here,',
    'onnxruntime-web in a chromium page), median of the runs above. Verification off (one answer per shard).',
    '"Added per shard" is the job\'s wall time beyond the direct runs, over its shards: hiring, escrow, transfer,',
    'signatures, receipts and settlement. The WDBC MLP computes 500 rows in well under a millisecond on a CPU, so',
    'those costs dominate its ratio; on a backend (or model) that computes for longer, the same costs are a small share.',
    '',
    network,
    '',
  ].join('\n'),
)
