// Part of `npm run bench:wan`: submits one job through the node of `--data-dir` (run inside the node's
// network namespace, where its loopback API is) and prints {firstResultMs, samplesPerSecond, samples, ms}.
// Usage: tsx bench/wan/client.ts <data-dir> <model.onnx> <features.npy> <shard size> <providers>
import '../../src/polyfill.js'
import { readFile } from 'node:fs/promises'
import { readNpyFile } from '../../src/exec/npy-file.js'
import { connect } from '../../src/sdk/client.js'

const [dataDir, modelPath, npyPath, shardSize, providers] = process.argv.slice(2)
const client = await connect({ dataDir })
const model = new Uint8Array(await readFile(modelPath))
const features = await readNpyFile(npyPath)
const t0 = performance.now()
let first: number | undefined
const accepted = await client.submit({
  model,
  inputs: { features },
  shardSize: Number(shardSize),
  providers: { min: Number(providers), max: Number(providers), waitSeconds: 60 },
  verification: { policy: 'none' },
  timeoutSeconds: 600,
})
const done = await client.wait(accepted.jobId, {
  onProgress: (p) => {
    if (first === undefined && p.samplesDone > 0) first = performance.now() - t0
  },
})
const ms = performance.now() - t0
console.log(
  JSON.stringify({
    firstResultMs: Math.round(first ?? ms),
    samplesPerSecond: Math.round(done.samplesTotal / (ms / 1000)),
    samples: done.samplesTotal,
    ms: Math.round(ms),
    providers: done.providers.map((p) => ({ provider: p.provider, samples: p.samples })),
  }),
)
process.exit(0)
