import '../src/polyfill.js'
import { cpus } from 'node:os'
import { runSecAggRound } from '../src/fl/secagg/index.js'
import { writeBenchmarkSection } from './benchmarks-md.js'

/**
 * Secure-aggregation overhead per round against plain summation, in the same run.
 * Usage: npx tsx bench/secagg.ts [--length 10000] [--holders 3,10,50] [--write]
 * --write replaces the "## Secure aggregation" section of BENCHMARKS.md with the results.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const LENGTH = Number(arg('length', '10000'))
const HOLDERS = arg('holders', '3,10,50').split(',').map(Number)

function makeInputs(n: number): Map<string, Float32Array> {
  return new Map(
    Array.from({ length: n }, (_, h) => [
      `holder-${h}`,
      new Float32Array(LENGTH).map(() => (Math.random() - 0.5) * 0.2),
    ]),
  )
}

/** Plain aggregation: every holder sends its float32 update; the aggregator adds them up. */
function plainRound(inputs: Map<string, Float32Array>) {
  const t0 = performance.now()
  const messages = [...inputs].map(([from, v]) => ({ from, update: new Uint8Array(v.buffer.slice(0)) }))
  const t1 = performance.now()
  const sum = new Float64Array(LENGTH)
  for (const m of messages) {
    const v = new Float32Array(m.update.buffer)
    for (let i = 0; i < LENGTH; i++) sum[i] += v[i]
  }
  const t2 = performance.now()
  const bytesPerHolder = messages[0].update.length + Buffer.byteLength(messages[0].from)
  return {
    holderMs: (t1 - t0) / inputs.size,
    aggregatorMs: t2 - t1,
    bytesPerHolder,
    totalBytes: bytesPerHolder * inputs.size,
    sum,
  }
}

interface Row {
  holders: number
  threshold: number
  dropped: number
  plainHolderMs: number
  plainAggMs: number
  plainBytes: number
  holderMs: number
  aggMs: number
  holderBytes: number
  totalBytes: number
  plainTotal: number
  maxError: number
}

// Warm-up (JIT) so that the first measured configuration is not penalised.
runSecAggRound({ inputs: makeInputs(4), threshold: 3, dropAfterShares: ['holder-0'] })
plainRound(makeInputs(4))

const rows: Row[] = []
for (const n of HOLDERS) {
  for (const drop of [0, 1]) {
    const inputs = makeInputs(n)
    const threshold = Math.floor(n / 2) + 1
    const dropped = drop ? [`holder-${n - 1}`] : []
    const plain = plainRound(drop ? new Map([...inputs].filter(([id]) => !dropped.includes(id))) : inputs)
    const r = runSecAggRound({ inputs, threshold, session: `bench-${n}-${drop}`, dropAfterShares: dropped })
    const survivors = r.survivors
    const holderMs = survivors.reduce((s, id) => s + r.msByHolder.get(id)!, 0) / survivors.length
    const holderBytes = survivors.reduce((s, id) => s + r.bytesSentByHolder.get(id)!, 0) / survivors.length
    const totalBytes = [...r.bytesSentByHolder.values()].reduce((a, b) => a + b, 0) + r.bytesSentByAggregator
    let maxError = 0
    for (let i = 0; i < LENGTH; i++) maxError = Math.max(maxError, Math.abs(r.sum[i] - plain.sum[i]))
    rows.push({
      holders: n,
      threshold,
      dropped: drop,
      plainHolderMs: plain.holderMs,
      plainAggMs: plain.aggregatorMs,
      plainBytes: plain.bytesPerHolder,
      holderMs,
      aggMs: r.msByAggregator,
      holderBytes,
      totalBytes,
      plainTotal: plain.totalBytes,
      maxError,
    })
    process.stderr.write(`n=${n} dropped=${drop} done\n`)
  }
}

const f = (x: number, d = 1) => x.toFixed(d)
const kb = (b: number) => `${f(b / 1024)} KiB`
const lines = [
  `Vector of ${LENGTH.toLocaleString('en-US')} float32 values per holder, threshold ⌊n/2⌋+1, one process simulating every party`,
  `(${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}; shared, loaded machine). Bytes are payload`,
  'bytes (byte arrays + ids, no framing). Time is CPU time in protocol steps; plain = float32 upload + summation.',
  '"total bytes" counts holders\' uploads and the aggregator relaying keys, envelopes and the unmask request.',
  '',
  '| holders | dropped | holder sends | ×plain | total bytes | ×plain | holder CPU | plain holder | aggregator CPU | plain agg | ×plain (all CPU) | max error |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map((r) => {
    const cpu =
      (r.holderMs * (r.holders - r.dropped) + r.aggMs) /
      (r.plainHolderMs * (r.holders - r.dropped) + r.plainAggMs)
    return `| ${r.holders} | ${r.dropped} | ${kb(r.holderBytes)} | ${f(r.holderBytes / r.plainBytes, 3)} | ${kb(r.totalBytes)} | ${f(r.totalBytes / r.plainTotal, 3)} | ${f(r.holderMs)} ms | ${f(r.plainHolderMs, 3)} ms | ${f(r.aggMs)} ms | ${f(r.plainAggMs, 2)} ms | ${f(cpu, 0)} | ${r.maxError.toExponential(1)} |`
  }),
]
const table = lines.join('\n')
process.stdout.write(`${table}\n`)

if (process.argv.includes('--write')) {
  writeBenchmarkSection(
    'Secure aggregation',
    `## Secure aggregation\n\n\`npx tsx bench/secagg.ts --write\` (${new Date().toISOString().slice(0, 10)}).\n\n${table}\n`,
  )
}
