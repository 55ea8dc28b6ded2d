import '../src/polyfill.js'
import { cpus } from 'node:os'
import {
  MaskPool,
  plusDegree,
  plusThreshold,
  runSecAggRound,
  runSecAggRoundAsync,
  type SimulatedOutcome,
} from '../src/fl/secagg/index.js'
import { writeBenchmarkSection } from './benchmarks-md.js'

/**
 * Secure aggregation at scale: SecAgg+ (sparse masking graph) against Bonawitz's complete-graph SecAgg and
 * against plain aggregation, measured in the same run, each holder a real protocol party in this process.
 * Usage: npm run bench:fl [-- --length 10000] [--holders 10,100,500] [--dropouts 0,30] [--json] [--write]
 * --json prints one JSON object; --write replaces the "## Secure aggregation" section of BENCHMARKS.md.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const LENGTH = Number(arg('length', '10000'))
const HOLDERS = arg('holders', '10,100,500').split(',').map(Number)
const DROPOUTS = arg('dropouts', '0,30').split(',').map(Number)
const JSON_OUT = process.argv.includes('--json')
const DESIGN_DROPOUT = 0.3 // SecAgg+'s degree is chosen to survive this share of dropouts

const ids = (n: number) => Array.from({ length: n }, (_, h) => `h${String(h).padStart(4, '0')}`)

function makeInputs(n: number): Map<string, Float32Array> {
  return new Map(ids(n).map((id) => [id, new Float32Array(LENGTH).map(() => (Math.random() - 0.5) * 0.2)]))
}

/** Plain aggregation: each survivor sends its float32 update; the aggregator adds them up. */
function plainRound(inputs: Map<string, Float32Array>, survivors: string[]) {
  let slowestHolder = 0
  const messages = survivors.map((from) => {
    const t0 = performance.now()
    const m = { from, update: new Uint8Array(inputs.get(from)!.buffer.slice(0)) }
    slowestHolder = Math.max(slowestHolder, performance.now() - t0)
    return m
  })
  const t1 = performance.now()
  const sum = new Float64Array(LENGTH)
  for (const m of messages) {
    const v = new Float32Array(m.update.buffer)
    for (let i = 0; i < LENGTH; i++) sum[i] += v[i]
  }
  const wallMs = slowestHolder + performance.now() - t1
  return { bytes: messages[0].update.length + Buffer.byteLength(messages[0].from), wallMs, sum }
}

const meanSent = (r: SimulatedOutcome) =>
  r.survivors.reduce((s, id) => s + r.bytesSentByHolder.get(id)!, 0) / r.survivors.length

function maxError(r: SimulatedOutcome, plain: Float64Array): number {
  let m = 0
  for (let i = 0; i < LENGTH; i++) m = Math.max(m, Math.abs(r.sum[i] - plain[i]))
  return m
}

interface Cell {
  plainBytes: number
  secaggBytes: number
  secaggPlusBytes: number
  plainMs: number
  secaggMs: number
  secaggPlusMs: number
  /** SecAgg+ with the aggregator's last step in one thread (finish()), for comparison. */
  secaggPlusOneThreadMs: number
  degree: number
  threshold: number
  maxError: number
}

// The aggregator removes dropped holders' masks on worker threads, as a node does (finishAsync).
const pool = new MaskPool()
// Warm-up (JIT, and the pool's threads started) so that the first measured configuration is not penalised.
runSecAggRound({ inputs: makeInputs(8), threshold: 3, degree: 4, dropAfterShares: ['h0000'] })
// The threads' JIT warms up over a few thousand masks: 100 holders, 30 dropped (2,100 masks), twice.
for (const session of ['warm-1', 'warm-2']) {
  const dropAfterShares = ids(100).filter((_, i) => i % 10 < 3)
  await runSecAggRoundAsync({ inputs: makeInputs(100), threshold: 51, session, dropAfterShares }, pool)
}

const results: Record<string, Record<string, Cell>> = {}
for (const n of HOLDERS) {
  results[n] = {}
  for (const dropout of DROPOUTS) {
    const inputs = makeInputs(n)
    const roster = [...inputs.keys()]
    // ⌊n · dropout⌋ holders spread evenly over the roster (the masking graph is shuffled anyway)
    const dropped = roster.filter(
      (_, i) => Math.floor(((i + 1) * dropout) / 100) > Math.floor((i * dropout) / 100),
    )
    const survivors = roster.filter((id) => !dropped.includes(id))
    const plain = plainRound(inputs, survivors)
    const session = `bench-${n}-${dropout}`
    const secagg = await runSecAggRoundAsync(
      { inputs, threshold: Math.floor(n / 2) + 1, session, dropAfterShares: dropped },
      pool,
    )
    const degree = plusDegree(n, DESIGN_DROPOUT)
    const threshold = plusThreshold(degree)
    const plusRound = { inputs, threshold, degree, session, dropAfterShares: dropped }
    const plus = await runSecAggRoundAsync(plusRound, pool)
    const plusOneThread = runSecAggRound(plusRound)
    results[n][dropout] = {
      plainBytes: plain.bytes,
      secaggBytes: Math.round(meanSent(secagg)),
      secaggPlusBytes: Math.round(meanSent(plus)),
      plainMs: plain.wallMs,
      secaggMs: secagg.wallMs,
      secaggPlusMs: plus.wallMs,
      secaggPlusOneThreadMs: plusOneThread.wallMs,
      degree,
      threshold,
      maxError: Math.max(maxError(secagg, plain.sum), maxError(plus, plain.sum)),
    }
    process.stderr.write(`n=${n} dropout=${dropout}% done\n`)
  }
}

if (JSON_OUT) {
  const holders = Object.fromEntries(
    Object.entries(results).map(([n, byDrop]) => [
      n,
      Object.fromEntries(
        Object.entries(byDrop).map(([d, c]) => [
          d,
          {
            plainBytes: c.plainBytes,
            secaggBytes: c.secaggBytes,
            secaggPlusBytes: c.secaggPlusBytes,
            plainMs: +c.plainMs.toFixed(2),
            secaggMs: +c.secaggMs.toFixed(2),
            secaggPlusMs: +c.secaggPlusMs.toFixed(2),
            secaggPlusOneThreadMs: +c.secaggPlusOneThreadMs.toFixed(2),
          },
        ]),
      ),
    ]),
  )
  process.stdout.write(`${JSON.stringify({ length: LENGTH, threads: pool.threads, holders })}\n`)
} else {
  const f = (x: number, d = 1) => x.toFixed(d)
  const kb = (b: number) => `${f(b / 1024)} KiB`
  const lines = [
    `Vector of ${LENGTH.toLocaleString('en-US')} float32 values per holder; complete-graph SecAgg with threshold ⌊n/2⌋+1;`,
    `SecAgg+ with degree k = plusDegree(n, 30 %) and threshold ⌊(k+1)/2⌋+1. Dropped holders leave after sharing their`,
    'keys (the costly case: their masks must be removed). Bytes: mean payload a surviving holder sends in the round.',
    "Time: the round's critical path (per step, the slowest holder's CPU time plus the aggregator's), no network;",
    `the aggregator removes dropped holders' masks on ${pool.threads} worker threads as a node does (finishAsync);`,
    'SecAgg+ 1 thread: the same round with that step in the calling thread (finish()).',
    `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; one process plays every party.`,
    '',
    '| holders | dropout | k / t (SecAgg+) | plain bytes | SecAgg bytes (×plain) | SecAgg+ bytes (×plain) | plain time | SecAgg time (×plain) | SecAgg+ time (×plain) | SecAgg+ 1 thread | max error |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const [n, byDrop] of Object.entries(results)) {
    for (const [d, c] of Object.entries(byDrop)) {
      lines.push(
        `| ${n} | ${d} % | ${c.degree} / ${c.threshold} | ${kb(c.plainBytes)} | ${kb(c.secaggBytes)} (${f(c.secaggBytes / c.plainBytes, 2)}) | ${kb(c.secaggPlusBytes)} (${f(c.secaggPlusBytes / c.plainBytes, 2)}) | ${f(c.plainMs, 2)} ms | ${f(c.secaggMs, 0)} ms (${f(c.secaggMs / c.plainMs, 0)}) | ${f(c.secaggPlusMs, 0)} ms (${f(c.secaggPlusMs / c.plainMs, 0)}) | ${f(c.secaggPlusOneThreadMs, 0)} ms | ${c.maxError.toExponential(1)} |`,
      )
    }
  }
  const largest = results[Math.max(...HOLDERS)]?.[Math.max(...DROPOUTS)]
  if (largest) {
    lines.push(
      '',
      `Goals at ${Math.max(...HOLDERS)} holders, ${Math.max(...DROPOUTS)} % dropout: SecAgg+ bytes ≤ 1.5× plain — measured ${f(largest.secaggPlusBytes / largest.plainBytes, 2)}×; time ≤ 2× plain — measured ${f(largest.secaggPlusMs / largest.plainMs, 0)}×.`,
    )
  }
  const table = lines.join('\n')
  process.stdout.write(`${table}\n`)
  if (process.argv.includes('--write')) {
    writeBenchmarkSection(
      'Secure aggregation',
      `## Secure aggregation\n\n\`npm run bench:fl -- --write\` (${new Date().toISOString().slice(0, 10)}).\n\n${table}\n`,
    )
  }
}
