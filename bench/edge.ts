/**
 * Edge streaming benchmark (issue 14): per-sample latency (p50, p99, p99.9) and throughput of one model over
 * a stream of single samples, in one run: a direct in-process onnxruntime call (the baseline), a Mutirão
 * local session (src/stream/local-session.ts), and the transport's own round trip to a peer process over
 * loopback (the floor of a remote session), and a Mutirão remote session to that same peer process.
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
import { openRemoteSession } from '../src/stream/remote-session.js'
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
const remote = await openRemoteSession(model, { host, providers: [floor.addr] })
const sample = (i: number) => ({ x: tensorFromValues('float32', [1, D], row(i)) })
// transport and remote session in alternating blocks of 500 samples, so that both see the same machine load
const BLOCK = 500
const times = { transport: [] as number[], remote: [] as number[] }
const wall = { transport: 0, remote: 0 }
for (let i = 0; i < WARMUP; i++) {
  await floor.roundTrip('echo', { t: 'infer', seq: i }, frame(i))
  await remote.infer(sample(i))
}
for (let b = 0; b < N; b += BLOCK) {
  let t0 = performance.now()
  for (let i = b; i < Math.min(N, b + BLOCK); i++) {
    const t = performance.now()
    await floor.roundTrip('echo', { t: 'infer', seq: i }, frame(i))
    times.transport.push(performance.now() - t)
  }
  wall.transport += performance.now() - t0
  t0 = performance.now()
  for (let i = b; i < Math.min(N, b + BLOCK); i++) {
    const t = performance.now()
    await remote.infer(sample(i))
    times.remote.push(performance.now() - t)
  }
  wall.remote += performance.now() - t0
}
const transportStats = stats(times.transport, wall.transport)
const remoteStats = stats(times.remote, wall.remote)
// the same session pipelined (32 samples in flight): throughput when the caller does not wait for each answer
const tp = performance.now()
let done = 0
for await (const _ of remote.stream(
  (function* () {
    for (let i = 0; i < N; i++) yield sample(i)
  })(),
))
  done++
const pipelinedPerSecond = (done / (performance.now() - tp)) * 1000
await remote.close()
await floor.stop()
await host.stop()

const result = {
  direct: directStats,
  local: localStats,
  localBatched: batchedStats,
  remote: remoteStats,
  remotePipelined: { samplesPerSecond: pipelinedPerSecond, window: 32 },
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
  line('Mutirão remote session to the same peer process (one sample in flight)', remoteStats),
  `| remote session, pipelined (32 samples in flight) | – | – | – | ${Math.round(pipelinedPerSecond).toLocaleString('en')} |`,
].join('\n')
const gap = localStats.p99Ms - directStats.p99Ms
const goals = [
  `Local session p99 ${f(localStats.p99Ms)} ms (goal ≤ 1 ms: ${localStats.p99Ms <= 1 ? 'met' : 'NOT met'}); ${f(gap)} ms above the direct call's p99 (goal ≤ 0.2 ms: ${gap <= 0.2 ? 'met' : 'NOT met'}).`,
  `Remote session p99 ${f(remoteStats.p99Ms)} ms, ${f(remoteStats.p99Ms - transportStats.p99Ms)} ms above the transport's p99 (goal ≤ 0.5 ms: ${remoteStats.p99Ms - transportStats.p99Ms <= 0.5 ? 'met' : 'NOT met'}); p50 ${f(remoteStats.p50Ms - transportStats.p50Ms)} ms above.`,
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
    'a peer process on loopback and echoed back at once. The remote session goes to the same peer process',
    '(`/mutirao/stream/1`: decode, check, run, encode the outputs); the two are measured in alternating blocks of',
    '500 samples so that both see the same load.',
    '',
    table,
    '',
    ...goals.map((g) => `- ${g}`),
    '',
  ].join('\n'),
)
