/**
 * Edge streaming benchmark (issue 14): per-sample latency (p50, p99, p99.9) and throughput of one model over
 * a stream of single samples, in one run: a direct in-process onnxruntime call (the baseline), a Mutirão
 * local session (src/stream/local-session.ts), and the transport's own round trip to a peer process over
 * loopback (the floor a remote session would add to). Remote sessions are not built yet: `remote` is null.
 * Writes the "## Edge streaming" section of BENCHMARKS.md.
 * Run: npm run bench:edge (`-- --json`: one JSON object; `-- --samples N`, default 10,000)
 */
import '../src/polyfill.js'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as ort from 'onnxruntime-node'
import { SESSION_OPTIONS } from '../src/exec/onnx-session.js'
import { encodeTensors } from '../src/exec/tensor-codec.js'
import { tensorFromValues } from '../src/exec/tensor-values.js'
import { createHost } from '../src/net/host.js'
import { openLocalSession } from '../src/stream/local-session.js'
import { writeBenchmarkSection } from './benchmarks-md.js'
import { echoBaseline } from './echo-baseline.js'

const json = process.argv.includes('--json')
const at = process.argv.indexOf('--samples')
const N = at > 0 ? Number(process.argv[at + 1]) : 10_000
const WARMUP = 500
const model = new Uint8Array(readFileSync(new URL('../test/fixtures/models/mlp.onnx', import.meta.url)))
const D = 30
const row = (i: number) => Float32Array.from({ length: D }, (_, j) => Math.sin(i * 0.37 + j) * 2)

interface Stats {
  p50Ms: number
  p99Ms: number
  p999Ms: number
  samplesPerSecond: number
}
const stats = (times: number[], wallMs: number): Stats => {
  const s = [...times].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!
  return { p50Ms: q(0.5), p99Ms: q(0.99), p999Ms: q(0.999), samplesPerSecond: (times.length / wallMs) * 1000 }
}
/** Times `n` calls of `call(i)` after a warm-up; per-call latencies and the whole wall time. */
async function time(call: (i: number) => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < WARMUP; i++) await call(i)
  const times: number[] = []
  const t0 = performance.now()
  for (let i = 0; i < N; i++) {
    const t = performance.now()
    await call(i)
    times.push(performance.now() - t)
  }
  return stats(times, performance.now() - t0)
}

const started = Date.now()
const direct = await ort.InferenceSession.create(model, SESSION_OPTIONS)
const directStats = await time((i) => direct.run({ x: new ort.Tensor('float32', row(i), [1, D]) }))
await direct.release()

const local = await openLocalSession(model)
const localStats = await time((i) => local.infer({ x: tensorFromValues('float32', [1, D], row(i)) }))
await local.close()

// micro-batched: 32 calls in flight, batches of up to 32 within 1 ms; latency from call to answer
const batched = await openLocalSession(model, { batch: { maxSamples: 32, maxDelayMs: 1 } })
async function timeBatched(): Promise<Stats> {
  const times: number[] = []
  const run = async (count: number, record: boolean) => {
    const inFlight: Promise<void>[] = []
    for (let i = 0; i < count; i++) {
      const t = performance.now()
      inFlight.push(
        batched.infer({ x: tensorFromValues('float32', [1, D], row(i)) }).then(() => {
          if (record) times.push(performance.now() - t)
        }),
      )
      if (inFlight.length >= 32) await inFlight.shift()
    }
    await Promise.all(inFlight)
  }
  await run(WARMUP, false)
  const t0 = performance.now()
  await run(N, true)
  return stats(times, performance.now() - t0)
}
const batchedStats = await timeBatched()
await batched.close()

const host = await createHost({
  privateKey: await generateKeyPair('Ed25519'),
  host: '127.0.0.1',
  mdns: false,
})
await host.start()
const floor = await echoBaseline(host)
const frame = (i: number) => encodeTensors({ x: tensorFromValues('float32', [1, D], row(i)) })
const transportStats = await time((i) => floor.roundTrip('echo', { t: 'infer', seq: i }, frame(i)))
await floor.stop()
await host.stop()

const result = {
  direct: directStats,
  local: localStats,
  localBatched: batchedStats,
  remote: null,
  remoteMissing: 'remote streaming sessions are not built yet (issue 14)',
  transport: transportStats,
  samples: N,
  model: 'test/fixtures/models/mlp.onnx (30 features → 2 classes)',
}
const f = (x: number) => x.toFixed(3)
const line = (name: string, s: Stats) =>
  `| ${name} | ${f(s.p50Ms)} | ${f(s.p99Ms)} | ${f(s.p999Ms)} | ${Math.round(s.samplesPerSecond).toLocaleString('en')} |`
const table = [
  '| path | p50 ms | p99 ms | p99.9 ms | samples/s |',
  '|---|---:|---:|---:|---:|',
  line('direct onnxruntime call (baseline)', directStats),
  line('Mutirão local session', localStats),
  line('local session, micro-batched (32 in flight, ≤ 32 per batch, ≤ 1 ms wait)', batchedStats),
  line('transport: framed round trip to a peer process (loopback)', transportStats),
  '| Mutirão remote session | – | – | – | not built yet |',
].join('\n')
const gap = localStats.p99Ms - directStats.p99Ms
const goals = [
  `Local session p99 ${f(localStats.p99Ms)} ms (goal ≤ 1 ms: ${localStats.p99Ms <= 1 ? 'met' : 'NOT met'}); ${f(gap)} ms above the direct call's p99 (goal ≤ 0.2 ms: ${gap <= 0.2 ? 'met' : 'NOT met'}).`,
  'Remote session vs the transport round trip: not measured (remote sessions are not built yet).',
]
if (json) console.log(JSON.stringify(result))
else console.log(`${table}\n\n${goals.join('\n')}`)
writeBenchmarkSection(
  'Edge streaming',
  [
    '## Edge streaming',
    '',
    `\`npm run bench:edge\` (${new Date().toISOString().slice(0, 10)}; ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}; ${((Date.now() - started) / 1000).toFixed(1)} s).`,
    `${N.toLocaleString('en')} single samples, one at a time, after ${WARMUP} warm-up calls, through the same model (${result.model}).`,
    'The direct call builds an onnxruntime tensor per sample and runs the session; the local session takes a',
    "Mutirão tensor, checks it against the model's inputs, runs, converts the outputs (and would feed state back).",
    'The transport row is the floor of a remote session: the encoded sample framed over an open libp2p stream to',
    'a peer process on loopback and echoed back at once.',
    '',
    table,
    '',
    ...goals.map((g) => `- ${g}`),
    '',
  ].join('\n'),
)
