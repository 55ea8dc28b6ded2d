/**
 * Factories co-train an anomaly detector and monitor their machines at the edge.
 *   npm run example:factory [-- --json] [-- --rounds N]
 * Four factories each hold their own slice of the Statlog Shuttle sensor log (data/shuttle-sensors.csv; every
 * state other than `Rad.Flow` is an anomaly). They co-train a detector with Mutirão's federated-learning
 * protocol (each factory a libp2p peer, secure aggregation on: no raw row and no single update leaves a
 * factory in the clear), export it to ONNX, and each runs it as a local streaming session over its own live
 * stream (held-out rows, one at a time), raising alerts. Reports the ROC AUC on the held-out rows against a
 * centrally trained model of the same architecture and epochs (the baseline, same run), and the latency.
 */
import '../../src/polyfill.js'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { rocAuc } from '../../src/data/roc-auc.js'
import type { Dataset } from '../../src/data/schema.js'
import { shuffle, subset } from '../../src/data/split.js'
import { toOnnx } from '../../src/demo/fl-demo-serve.js'
import { runOnNodes } from '../../src/demo/fl-on-nodes.js'
import { startChainProcess, startNodeProcess } from '../../src/demo/local-network.js'
import { DATA_DIR } from '../../src/demo/run-demo.js'
import { tensorFromValues, tensorToValues } from '../../src/exec/tensor-values.js'
import { openLocalSession } from '../../src/stream/local-session.js'
import { initTraining } from '../../src/train/backend.js'
import { exportToOnnx } from '../../src/train/export-onnx.js'
import { trainClassifier } from '../../src/train/train-classifier.js'

const json = process.argv.includes('--json')
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const say = (line: string) => {
  if (!json) console.log(line)
}
const FACTORIES = ['factory-north', 'factory-south', 'factory-east', 'factory-west']
const SEED = 11
const ROUNDS = arg('rounds', 15)
const TRAIN_ROWS = arg('train', 12_000)
const STREAM_ROWS = arg('stream', 1_000) // per factory
const THRESHOLD = 0.5

// The sensor log, labelled normal / anomaly; a seeded sample: training rows, and each factory's live stream.
const text = await readFile(join(DATA_DIR, 'shuttle-sensors.csv'), 'utf8')
const relabelled = text.replace(/"([^"]+)"\s*$/gm, (_, c: string) =>
  c === 'Class' ? 'state' : c === 'Rad.Flow' ? 'normal' : 'anomaly',
)
const all = shuffle(loadCsv(relabelled, { target: 'state' }), SEED)
const anomaly = all.schema.target.classes.indexOf('anomaly')
const train = subset(
  all,
  Array.from({ length: TRAIN_ROWS }, (_, i) => i),
)
const streams = FACTORIES.map((_, f) =>
  subset(
    all,
    Array.from({ length: STREAM_ROWS }, (_, i) => TRAIN_ROWS + f * STREAM_ROWS + i),
  ),
)
const parts = dirichletPartition(train, { holders: FACTORIES.length, alpha: 2, seed: SEED, minRows: 500 })
const rate = (d: Dataset) => d.y.filter((y) => y === anomaly).length / d.n
say(
  `Shuttle sensor log: ${all.n} rows, anomaly rate ${(rate(all) * 100).toFixed(1)} %; training rows per factory: ${parts.map((p) => p.n).join(', ')}`,
)

// 1. Federated training by nodes: the owner's node coordinates, each factory is a node process of its own
// holding its rows in a CSV file; all share one local chain; secure aggregation on.
const t0 = Date.now()
const model = { kind: 'mlp' as const, hidden: [16] }
const local = { epochs: arg('epochs', 1), batchSize: 64, lr: 0.01, optimizer: 'adam' as const }
const root = await mkdtemp(join(tmpdir(), 'mutirao-factory-edge-'))
const chain = await startChainProcess(join(root, 'chain'))
const nodes = await Promise.all(
  ['owner', ...FACTORIES].map((n) => startNodeProcess(n, join(root, n), chain.args, { MUTIRAO_LOG: 'warn' })),
)
let onnx: Uint8Array
try {
  const spec = {
    id: 'factory-anomaly',
    model,
    schema: all.schema,
    rounds: ROUNDS,
    minParticipants: FACTORIES.length,
    roundDeadlineMs: 60_000,
    local,
    seed: SEED,
    secureAggregation: {},
  }
  const state = await runOnNodes({ names: FACTORIES, parts }, spec, nodes[0]!, nodes.slice(1), {}, () => {})
  await initTraining() // toOnnx builds the network with tfjs in this process
  onnx = toOnnx(state)
} finally {
  await Promise.all(nodes.map((n) => n.stop()))
  await chain.stop()
  await rm(root, { recursive: true, force: true })
}
const flSeconds = (Date.now() - t0) / 1000
say(
  `Co-trained over ${ROUNDS} rounds in ${flSeconds.toFixed(1)} s (secure aggregation); ONNX model ${onnx.length} bytes`,
)

// 2. The baseline: the same network trained centrally on the pooled rows for the same number of epochs.
const central = await trainClassifier({
  data: train,
  model,
  epochs: ROUNDS * local.epochs,
  batchSize: local.batchSize,
  learningRate: local.lr,
  optimizer: local.optimizer,
  seed: SEED,
})
const centralOnnx = exportToOnnx(central.net, central.preprocessing, { classes: central.classes })
central.net.dispose()

// 3. Each factory streams its own rows through a local session of each model; alerts over the threshold.
const scores: number[] = []
const baselineScores: number[] = []
const labels: boolean[] = []
const latencies: number[] = []
const factories = []
for (const [f, stream] of streams.entries()) {
  const [session, baseline] = await Promise.all([openLocalSession(onnx), openLocalSession(centralOnnx)])
  let alerts = 0
  let caught = 0
  for (let i = 0; i < stream.n; i++) {
    const features = tensorFromValues(
      'float32',
      [1, stream.d],
      stream.x.subarray(i * stream.d, (i + 1) * stream.d),
    )
    const t = performance.now()
    const out = await session.infer({ features })
    latencies.push(performance.now() - t)
    const score = Number(tensorToValues(out.probabilities)[anomaly])
    const isAnomaly = stream.y[i] === anomaly
    if (score > THRESHOLD) {
      alerts++
      if (isAnomaly) caught++
    }
    scores.push(score)
    labels.push(isAnomaly)
    baselineScores.push(Number(tensorToValues((await baseline.infer({ features })).probabilities)[anomaly]))
  }
  await Promise.all([session.close(), baseline.close()])
  const anomalies = stream.y.filter((y) => y === anomaly).length
  factories.push({ name: FACTORIES[f], rows: stream.n, anomalies, alerts, caught })
  say(`${FACTORIES[f]}: ${stream.n} live rows, ${anomalies} anomalies, ${alerts} alerts (${caught} true)`)
}
latencies.sort((a, b) => a - b)
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
const report = {
  auc: rocAuc(scores, labels),
  baselineAuc: rocAuc(baselineScores, labels),
  baseline: 'the same MLP trained centrally on the pooled rows, same epochs',
  p50Ms: q(0.5),
  p99Ms: q(0.99),
  rounds: ROUNDS,
  flSeconds,
  anomalyRate: labels.filter(Boolean).length / labels.length,
  factories,
}
if (json) console.log(JSON.stringify(report))
else
  say(
    `ROC AUC on ${labels.length} held-out rows: federated ${report.auc.toFixed(4)} vs centrally trained ${report.baselineAuc.toFixed(4)}; per-sample latency p50 ${report.p50Ms.toFixed(3)} ms, p99 ${report.p99Ms.toFixed(3)} ms (local session)`,
  )
