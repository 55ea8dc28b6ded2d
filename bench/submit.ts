// npm run bench:submit — from the user's command to the first result, and the whole job's throughput
// against onnxruntime on this machine, in one run (issue 17, item 6). Needs the built CLI (`npm run build`).
//   cliStartMs: `mutirao --version`, median of 7 runs.
//   A generated ~36 MB ONNX MLP (256 → 2048 → 4096 → 2) and a ~41 MB input (40,000 × 256 float32 in a .npy),
//   shards of 1,000, two provider processes, default (adaptive) verification, submitted with
//   `mutirao submit job.json --json` as a user would. Run twice on the same network: the first run sends the
//   model and input to the node and its providers; the second ("warm", the JSON figures) finds them known.
//   registeredMs: command start → the node created the job; firstResultMs: command start → first result
//   accepted; samplesPerSecond: samples ÷ (job created → done).
//   localSamplesPerSecond: one onnxruntime session with 2 threads over the same shards in this process.
// Options: --samples N (default 40000), --json (one JSON object on stdout; progress goes to stderr).
import '../src/polyfill.js'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as ort from 'onnxruntime-node'
import { writeNpy } from '../src/exec/npy.js'
import type { Tensor } from '../src/exec/tensor.js'
import type { JobProgress } from '../src/requester/job-spec.js'
import { quantile } from '../src/sim/events.js'
import { assertCliBuilt, runCli, startNetwork } from '../test/helpers/network.js'
import { denseMlp } from './mlp-model.js'

const argOf = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const SAMPLES = argOf('samples', 40_000)
const JSON_OUT = process.argv.includes('--json')
const WIDTH = 256
const SHARD = 1000
const [H1, H2] = [2048, 4096]
const stage = (what: string) => process.stderr.write(`[bench:submit] ${what}\n`)

/** The generated model: 256 → 2048 → 4096 → 2 (≈ 8.9 M weights, ≈ 36 MB). */
const bigMlp = () => denseMlp({ name: 'submit-bench-mlp', widths: [WIDTH, H1, H2, 2], output: 'y' })

/** The input: SAMPLES rows of WIDTH float32. */
function input(): Tensor {
  const data = new Float32Array(SAMPLES * WIDTH)
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37)
  return { dtype: 'float32', dims: [SAMPLES, WIDTH], data: new Uint8Array(data.buffer) }
}

/** Local baseline: one onnxruntime session with 2 threads over the same shards, samples per second. */
async function localRate(model: Uint8Array, x: Tensor): Promise<number> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 2,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  })
  const rows = new Float32Array(x.data.buffer, x.data.byteOffset, SAMPLES * WIDTH)
  const shard = (i: number) =>
    new ort.Tensor('float32', rows.subarray(i * WIDTH, Math.min(SAMPLES, i + SHARD) * WIDTH), [
      Math.min(SHARD, SAMPLES - i),
      WIDTH,
    ])
  await session.run({ x: shard(0) }) // warm-up
  const t = performance.now()
  for (let i = 0; i < SAMPLES; i += SHARD) await session.run({ x: shard(i) })
  const ms = performance.now() - t
  await session.release()
  return (SAMPLES / ms) * 1000
}

/** One `mutirao submit job.json --json` run: the command's timeline against the node's record of the job. */
async function submitOnce(dataDir: string, jobFile: string) {
  const t0 = Date.now()
  const r = await runCli(['submit', jobFile, '--data-dir', dataDir, '--json'], { timeoutMs: 600_000 })
  const wall = Date.now() - t0
  if (r.code !== 0) throw new Error(`submit exited ${r.code}: ${r.stderr.slice(-2000)}`)
  const p = JSON.parse(r.stdout) as JobProgress
  if (p.status !== 'done' || !p.firstResultAt || !p.finishedAt)
    throw new Error(`job ${p.jobId} ended ${p.status}: ${p.error ?? ''}`)
  return {
    jobId: p.jobId,
    registeredMs: p.createdAt - t0,
    firstResultMs: p.firstResultAt - t0,
    samplesPerSecond: (p.samplesTotal / (p.finishedAt - p.createdAt)) * 1000,
    commandSamplesPerSecond: (p.samplesTotal / wall) * 1000,
    wallMs: wall,
    shards: p.shardsTotal,
    replicaTasks: p.verification?.replicaTasks ?? 0,
    canaryTasks: p.verification?.canaryTasks ?? 0,
  }
}

async function main() {
  assertCliBuilt()
  const dir = await mkdtemp(join(tmpdir(), 'mutirao-submit-bench-'))
  try {
    stage('CLI start')
    const starts: number[] = []
    for (let i = 0; i < 7; i++) {
      const t = performance.now()
      const r = await runCli(['--version'])
      if (r.code !== 0) throw new Error(`mutirao --version exited ${r.code}`)
      starts.push(performance.now() - t)
    }
    const cliStartMs = quantile(starts, 0.5)

    stage('model and input')
    const model = bigMlp()
    const x = input()
    await writeFile(join(dir, 'model.onnx'), model)
    await writeFile(join(dir, 'x.npy'), writeNpy(x))
    const jobFile = join(dir, 'job.json')
    const spec = {
      kind: 'onnx-inference',
      name: 'submit-bench',
      model: 'model.onnx',
      inputs: { x: { npy: 'x.npy' } },
      shardSize: SHARD,
      maxPrice: '1000',
      timeoutSeconds: 600,
      providers: { min: 2, max: 2 },
    }
    await writeFile(jobFile, JSON.stringify(spec))
    const noneFile = join(dir, 'job-none.json')
    await writeFile(noneFile, JSON.stringify({ ...spec, verification: { policy: 'none' } }))
    stage('local onnxruntime, 2 threads')
    const localSamplesPerSecond = await localRate(model, x)

    stage('network: a requester and 2 providers')
    const net = await startNetwork({ providers: 2, root: join(dir, 'net') })
    try {
      await new Promise((r) => setTimeout(r, 3000)) // the providers' capacity adverts reach the requester
      stage('first submit (model and input new to the network)')
      const cold = await submitOnce(net.requester.dataDir, jobFile)
      stage('second submit (warm)')
      const warm = await submitOnce(net.requester.dataDir, jobFile)
      stage('third submit (warm, verification none: the transport without replicas)')
      const none = await submitOnce(net.requester.dataDir, noneFile)
      const result = {
        cliStartMs: Math.round(cliStartMs),
        registeredMs: warm.registeredMs,
        firstResultMs: warm.firstResultMs,
        samplesPerSecond: Math.round(warm.samplesPerSecond),
        localSamplesPerSecond: Math.round(localSamplesPerSecond),
        modelBytes: model.length,
        inputBytes: x.data.byteLength,
        cold,
        warm,
        none,
      }
      if (JSON_OUT) {
        console.log(JSON.stringify(result))
        return
      }
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
      console.log(`\n## submit benchmark (${new Date().toISOString()})`)
      console.log(
        `model ${mb(model.length)}, input ${mb(x.data.byteLength)} (${SAMPLES} × ${WIDTH} float32), shards of ${SHARD}, 2 providers, verification adaptive`,
      )
      console.log(`CLI start (mutirao --version, median of 7): ${cliStartMs.toFixed(0)} ms   goal ≤ 200 ms`)
      for (const [label, r] of [
        ['first run (model and input new)', cold],
        ['second run (warm)', warm],
        ['third run (warm, verification none)', none],
      ] as const) {
        console.log(
          `${label}: command → job registered ${r.registeredMs} ms; → first result ${r.firstResultMs} ms (goal ≤ 1500 ms); ` +
            `${r.samplesPerSecond.toFixed(0)} samples/s (job created → done) = ${(r.samplesPerSecond / localSamplesPerSecond).toFixed(2)} of local (goal ≥ 0.85); ` +
            `command → done ${r.wallMs} ms; ${r.replicaTasks} replica and ${r.canaryTasks} canary tasks for ${r.shards} shards`,
        )
      }
      console.log(`local onnxruntime, 2 threads, same shards: ${localSamplesPerSecond.toFixed(0)} samples/s`)
    } catch (err) {
      for (const n of [net.requester, ...net.providers])
        console.error(`--- ${n.name} (last log lines)\n${n.logs.slice(-25).join('\n')}`)
      throw err
    } finally {
      await net.stop()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
