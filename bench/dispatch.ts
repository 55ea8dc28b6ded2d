// npm run bench:dispatch — dispatch overhead of the compute market, all in one run on 127.0.0.1.
// Needs the built CLI (`npm run build`): the requester and the two providers are real `mutirao` processes.
//   (a) 2,000 one-sample tasks of tiny.onnx: per-task overhead against the same tasks run in-process
//       a0 floor: the same frames echoed by a peer process on an open libp2p stream (bench/echo-peer.ts), at once
//          and through a worker thread, interleaved with a1 so that both see the same load;
//       a1 latency: one task in flight at a time from an in-bench requester (real market, real ProviderSession
//          to the provider processes), each task's round trip minus the local median run time;
//       a2 pipelined: a real 2,000-task job through the requester process, (network wall − local wall) / tasks.
//   (b) 100,000-sample batches (mlp.onnx, and a compute-bound wide MLP): network ÷ local throughput with the
//       same worker threads: 2 providers × 1 thread against a 2-worker local pool, and 1 provider × 1 thread
//       against a 1-worker local pool (the requester then has the other core, as a real requester would).
//   (c) submit → first result on an idle network (median of several runs), with the offer window.
// Raw dispatch jobs run with verification policy `none` (every shard runs once); the default `adaptive`
// replicates the shards of untrusted providers, so it is reported separately (wide MLP, 2 providers).
// CPU time (utime + stime from /proc, worker threads included) of the requester and provider processes is
// reported next to wall times: on a shared machine it moves much less with the load than wall time does.
// Options: --tasks N (a, default 2000), --batch N (b, default 100000), --runs N (c, default 5),
// --only-b (skip (a) and (c)), --only-a (skip (b) and (c)), --wide-only / --mlp-only (b: only that model), --wide-shards N,N… and
// --mlp-shards N,N… (b: shard sizes, default 2000,10000 and 256,2000), --one-provider-only (b: only the
// 1-provider jobs).
// Profiling (bench/profile-preload.cjs): with PROF_FLAG=<path> and PROF_JOB=<model name>:<shard size> (or `a1`),
// the bench creates that file while that 1-provider job (or the timed a1 loop) runs, and the preload profiles every process while it exists.
import '../src/polyfill.js'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import type { Address } from 'viem'
import { buildModel, float, node, tensorInitializer, valueInfo } from '../src/exec/graph-builder.js'
import { inspectModel } from '../src/exec/model-info.js'
import { createOnnxExecutor } from '../src/exec/onnx-executor.js'
import { createOnnxSession, runSession } from '../src/exec/onnx-session.js'
import type { TensorMap } from '../src/exec/tensor.js'
import { decodeTensors, encodeTensors, sliceBatch } from '../src/exec/tensor-codec.js'
import { tensorFromValues } from '../src/exec/tensor-values.js'
import { initDataDir } from '../src/identity/init.js'
import { logger } from '../src/log.js'
import { ProviderDirectory } from '../src/market/directory.js'
import { DEFAULT_MAX_PRICE, parsePrice } from '../src/market/price.js'
import { createHost } from '../src/net/host.js'
import { verifyPayload } from '../src/net/signing.js'
import { connectChain, fundIfLocal } from '../src/node/chain-setup.js'
import { RequesterPayments } from '../src/payments/requester-payments.js'
import { serveBlobs } from '../src/protocols/blob.js'
import { DOMAINS } from '../src/protocols/ids.js'
import { JobStore } from '../src/requester/job-store.js'
import { acquireProviders } from '../src/requester/market-client.js'
import { OfferInbox } from '../src/requester/offer-inbox.js'
import { ProviderSession } from '../src/requester/provider-session.js'
import { connect, type MutiraoClient } from '../src/sdk/client.js'
import { blobStore, sha256Hex } from '../src/store/blob-store.js'
import { openDb } from '../src/store/db.js'
import { CLI, startNetwork, type TestNetwork } from '../test/helpers/network.js'
import { echoBaseline } from './echo-baseline.js'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const TASKS = arg('tasks', 2000)
const BATCH = arg('batch', 100_000)
const RUNS = arg('runs', 5)
const flag = (name: string) => process.argv.includes(`--${name}`)
const ONLY_B = flag('only-b')
const ONLY_A = flag('only-a')
const WIDE_ONLY = flag('wide-only')
const PROF_FLAG = process.env.PROF_FLAG
const sizesArg = (name: string, def: number[]) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1].split(',').map(Number) : def
}
const WIDE_SHARDS = sizesArg('wide-shards', [2000, 10000])
const MLP_SHARDS = sizesArg('mlp-shards', [256, 2000])
const MLP_ONLY = flag('mlp-only')
const ONE_ONLY = flag('one-provider-only')
const MODELS = resolve(import.meta.dirname, '../test/fixtures/models')

/** Start the preload's profiles in every process (bench/profile-preload.cjs), if PROF_FLAG is set. */
async function startProfiles() {
  if (!PROF_FLAG) return
  await writeFile(PROF_FLAG, '')
  await new Promise((r) => setTimeout(r, 300)) // the preload looks for the file every 100 ms
}
/** Stop them: each process writes its profiles. */
const stopProfiles = () => (PROF_FLAG ? rm(PROF_FLAG, { force: true }) : Promise.resolve())

const stage = (what: string) => process.stderr.write(`[bench] ${what}\n`)
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}
const ms = (x: number) => `${x.toFixed(3)} ms`
const rows = (n: number, width: number) =>
  tensorFromValues(
    'float32',
    [n, width],
    Array.from({ length: n * width }, (_, i) => Math.sin(i * 0.37) * 2),
  )

/** Local per-task run time: the same one-sample tasks through one in-process session. */
async function localPerTask(model: Uint8Array, inputs: TensorMap, n: number) {
  const session = await createOnnxSession(model)
  const times: number[] = []
  for (let i = 0; i < 200; i++) await runSession(session, sliceBatch(inputs, i % n, (i % n) + 1)) // warm-up
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await runSession(session, sliceBatch(inputs, i, i + 1))
    times.push(performance.now() - t)
  }
  const wall = performance.now() - t0
  await session.release()
  return { times, wall }
}

/**
 * (a1) One task in flight at a time from an in-bench requester: the real market (demand, signed offers,
 * escrow on the network's chain, agreements) and the real task protocol to the provider processes. Each
 * accepted result is verified (hash, signature) like the requester node does; vouchers (the providers stop
 * past 512 unpaid tasks) are signed between tasks, outside the timed round trips.
 */
async function sequentialLatency(net: TestNetwork, model: Uint8Array, inputs: TensorMap) {
  const log = logger('bench')
  const { identity, layout } = await initDataDir(join(net.root, 'bench-requester'))
  const chain = await connectChain(
    layout,
    { rpcUrl: net.chain.rpcUrl, deploymentsFile: net.chain.deploymentsFile },
    identity.ethPrivateKey,
    log,
  )
  await fundIfLocal(chain.ledger, 10n ** 24n, log)
  const db = openDb(layout.db)
  const jobId = 'bench-a1-job'
  const cost = inspectModel(model).cost
  new JobStore(db).create({ id: jobId, spec: {} as never, status: 'running', createdAt: Date.now() }, [])
  const payments = new RequesterPayments(db, chain.ledger, log)
  const host = await createHost({ privateKey: identity.peerKey })
  await host.start()
  const blobs = blobStore(layout.blobs)
  const modelHash = await blobs.put(model)
  await serveBlobs(host, blobs, (_p, h) => h === modelHash)
  const inbox = new OfferInbox()
  await inbox.start(host, log)
  const directory = new ProviderDirectory()
  directory.start(host, log)
  for (const p of net.providers) await host.dial(multiaddr(p.multiaddrs[0]))
  await new Promise((r) => setTimeout(r, 2000)) // let gossip meshes form
  const deadline = Date.now() + 600_000
  const { agreements } = await acquireProviders(
    { host, identity, inbox, directory, log },
    {
      jobId,
      modelHash,
      modelBytes: model.length,
      costPerSample: cost,
      samples: TASKS + 200,
      maxPricePerUnit: parsePrice(DEFAULT_MAX_PRICE),
      deadline,
      want: net.providers.length,
      exclude: new Set(),
      payment: payments.paymentTerms,
      settle: async (chosen) => {
        const price = chosen.reduce((m, o) => (BigInt(o.pricePerUnit) > m ? BigInt(o.pricePerUnit) : m), 0n)
        const escrow = await payments.ensureEscrow(jobId, price, BigInt((TASKS + 200) * cost), deadline)
        return {
          escrow: payments.escrowRef(escrow),
          pricePerUnit: escrow.pricePerUnit,
          requesterEth: chain.ledger.address,
        }
      },
    },
  )
  if (agreements.length === 0) throw new Error('a1: no provider agreed')
  const waiting = new Map<string, (body: Uint8Array) => void>()
  const sessions = agreements.map(
    (a) =>
      new ProviderSession(
        host,
        a,
        {
          onResult: (s, msg, body) => {
            void verifyPayload(
              s.provider,
              DOMAINS.result,
              { taskId: msg.taskId, inputHash: msg.inputHash, outputHash: msg.outputHash },
              msg.signature,
            ).then(() => {
              if (sha256Hex(body) !== msg.outputHash) throw new Error('bad output hash')
              payments.recordAccepted(jobId, s.agreement.providerEth as Address, { ...msg, units: cost })
              waiting.get(msg.taskId)?.(body)
            })
          },
          onTaskError: (_s, msg) => {
            throw new Error(`a1 task error: ${msg.message}`)
          },
          onDead: (_s, reason) => {
            throw new Error(`a1 provider lost: ${reason}`)
          },
        },
        64 * 1024 * 1024,
      ),
  )
  await Promise.all(sessions.map((s) => s.open()))
  const floor = await echoBaseline(host)
  /** A frame like the a1 task's (same header fields, same body), for the a0 round trips. */
  const echoOf = (i: number) => {
    const body = encodeTensors(sliceBatch(inputs, i, i + 1))
    const header = { t: 'task', taskId: `${jobId}.${i}.1`, samples: 1, units: cost, deadline }
    return { header: { ...header, inputHash: sha256Hex(body) }, body }
  }
  const pay = async () => {
    for (const s of sessions) {
      const voucher = await payments.nextVoucher(jobId, s.agreement.providerEth as Address)
      if (voucher) s.sendVoucher(voucher)
    }
  }
  const run = async (i: number, n: number) => {
    const t = performance.now()
    const body = encodeTensors(sliceBatch(inputs, i, i + 1))
    const taskId = `${jobId}.${n}.1`
    const done = new Promise<Uint8Array>((ok) => waiting.set(taskId, ok))
    sessions[n % sessions.length].send({
      taskId,
      samples: 1,
      units: cost,
      inputHash: sha256Hex(body),
      deadline,
      body,
    })
    decodeTensors(await done)
    waiting.delete(taskId)
    return performance.now() - t
  }
  for (let i = 0; i < 200; i++) {
    // warm-up (sessions, JIT)
    await run(i % TASKS, TASKS + i)
    const e = echoOf(i % TASKS)
    await floor.roundTrip('echo', e.header, e.body)
    await floor.roundTrip('echoWorker', e.header, e.body)
  }
  await pay()
  const rtt: number[] = []
  const echo: number[] = []
  const echoWorker: number[] = []
  const profile = process.env.PROF_JOB === 'a1'
  if (profile) await startProfiles()
  for (let i = 0; i < TASKS; i++) {
    // interleaved, so that the floor and the tasks see the same load
    const e = echoOf(i)
    echo.push(await floor.roundTrip('echo', e.header, e.body))
    echoWorker.push(await floor.roundTrip('echoWorker', e.header, e.body))
    rtt.push(await run(i, i))
    if (i % 200 === 199) await pay()
  }
  if (profile) await stopProfiles()
  await Promise.all(sessions.map((s) => s.close().catch(() => {})))
  directory.stop()
  await host.stop()
  db.close()
  await chain.stop()
  await floor.stop()
  return { rtt, echo, echoWorker, providers: sessions.length }
}

/** Verification policy of the raw dispatch measurements: every shard runs once (no replicas, no canaries). */
type Policy = 'none' | 'adaptive'

/** Submit a job through the requester process and wait for it; returns the final progress. */
async function runJob(
  client: MutiraoClient,
  model: Uint8Array,
  inputs: TensorMap,
  shardSize: number,
  policy: Policy = 'none',
) {
  const t0 = Date.now()
  const accepted = await client.submit({
    model,
    inputs,
    shardSize,
    providers: { min: 1, max: 2 },
    verification: { policy },
  })
  let firstSeen: number | undefined
  const done = await client.wait(accepted.jobId, {
    onProgress: (p) => {
      if (p.samplesDone > 0) firstSeen ??= Date.now()
    },
  })
  return { done, t0, firstSeen: firstSeen ?? Date.now() }
}

/** CPU time of a process so far in ms (utime + stime, all threads), from /proc/<pid>/stat. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS
}
const CLOCK_TICKS = 100

/** CPU ms the requester and the providers (together) spent while `fn` ran. */
async function cpuOf<T>(net: TestNetwork, fn: () => Promise<T>) {
  const pids = [net.requester, ...net.providers].map((n) => n.proc.pid!)
  const before = await Promise.all(pids.map(cpuMs))
  const value = await fn()
  const after = await Promise.all(pids.map(cpuMs))
  const used = after.map((a, i) => a - before[i])
  return { value, requesterCpu: used[0], providersCpu: used.slice(1).reduce((a, b) => a + b, 0) }
}

/** Deterministic weights in [-scale, scale). */
const weights = (seed: number, count: number, scale: number) =>
  Array.from({ length: count }, (_, i) => Math.sin(seed * 7919 + i * 0.618) * scale)

/** A compute-bound classifier: 30 → 512 → 512 → 2 (≈ 280k multiply-adds per sample). */
function wideMlp(): Uint8Array {
  const gemm = (x: string, w: string, b: string, y: string) =>
    node('Gemm', [x, w, b], [y], { alpha: float(1), beta: float(1) })
  return buildModel({
    name: 'wide-mlp',
    nodes: [
      gemm('x', 'W1', 'b1', 'h1'),
      node('Relu', ['h1'], ['a1']),
      gemm('a1', 'W2', 'b2', 'h2'),
      node('Relu', ['h2'], ['a2']),
      gemm('a2', 'W3', 'b3', 'logits'),
      node('Softmax', ['logits'], ['probabilities'], { axis: 1 }),
    ],
    initializers: [
      tensorInitializer('W1', 'float32', [30, 512], weights(1, 30 * 512, 0.2)),
      tensorInitializer('b1', 'float32', [512], weights(2, 512, 0.1)),
      tensorInitializer('W2', 'float32', [512, 512], weights(3, 512 * 512, 0.05)),
      tensorInitializer('b2', 'float32', [512], weights(4, 512, 0.1)),
      tensorInitializer('W3', 'float32', [512, 2], weights(5, 1024, 0.1)),
      tensorInitializer('b3', 'float32', [2], weights(6, 2, 0.1)),
    ],
    inputs: [valueInfo('x', 'float32', ['N', 30])],
    outputs: [valueInfo('probabilities', 'float32', ['N', 2])],
  })
}

/** A network run of a batch: wall times and CPU time per process. */
interface NetworkRun {
  e2e: number
  steady: number
  requesterCpu: number
  providersCpu: number
}

/**
 * (b) One batch: local baselines in this process (one session.run over everything, and worker pools of 1 and
 * 2 threads over the same shards as the network), then the same batch as jobs through the requester process:
 * on both providers (2 × 1 thread), on one (1 × 1 thread), and (optionally) with adaptive verification.
 */
async function batchRun(
  net: TestNetwork,
  client: MutiraoClient,
  name: string,
  model: Uint8Array,
  batch: TensorMap,
  sizes: number[],
  withAdaptive: boolean,
) {
  const n = batch.x.dims[0]
  const session = await createOnnxSession(model)
  await runSession(session, sliceBatch(batch, 0, 1000))
  let t = performance.now()
  await runSession(session, batch)
  const localOne = performance.now() - t
  await session.release()
  const hash = sha256Hex(model)
  const localPool: Record<number, Record<number, number>> = { 1: {}, 2: {} }
  for (const threads of [1, 2]) {
    const exec = createOnnxExecutor({ threads, getModel: async () => model })
    for (const size of sizes) {
      await exec.run({ modelHash: hash, inputs: sliceBatch(batch, 0, size) })
      t = performance.now()
      const parts = []
      for (let s = 0; s < n; s += size)
        parts.push(exec.run({ modelHash: hash, inputs: sliceBatch(batch, s, Math.min(n, s + size)) }))
      await Promise.all(parts)
      localPool[threads][size] = performance.now() - t
    }
    await exec.stop()
  }
  const job = async (size: number, max: number, policy: Policy, profile = false): Promise<NetworkRun> => {
    if (profile) await startProfiles()
    const { value: done, ...cpu } = await cpuOf(net, async () => {
      const t0 = Date.now()
      const accepted = await client.submit({
        model,
        inputs: batch,
        shardSize: size,
        providers: { min: 1, max },
        verification: { policy },
      })
      const r = await client.wait(accepted.jobId)
      if (r.status !== 'done') throw new Error(`(b) job ${r.status}: ${r.error} after ${Date.now() - t0} ms`)
      return r
    })
    if (profile) await stopProfiles()
    return {
      e2e: (done.finishedAt ?? 0) - done.createdAt,
      steady: (done.finishedAt ?? 0) - (done.firstResultAt ?? 0),
      ...cpu,
    }
  }
  const network: Record<number, { two?: NetworkRun; one: NetworkRun; adaptive?: NetworkRun }> = {}
  for (const size of sizes) {
    network[size] = {
      two: ONE_ONLY ? undefined : await job(size, 2, 'none'),
      one: await job(size, 1, 'none', process.env.PROF_JOB === `${name}:${size}`),
      adaptive: withAdaptive && !ONE_ONLY ? await job(size, 2, 'adaptive') : undefined,
    }
  }
  return { name, sizes, localOne, localPool, network }
}

async function main() {
  if (!existsSync(CLI.replace(/bin\/mutirao\.js$/, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first')
  }
  // the nodes log at debug so that the requester's offer-collection times can be read back
  const net = await startNetwork({ providers: 2, env: { MUTIRAO_LOG: 'debug' } })
  const { requester } = net
  const client = await connect({ dataDir: requester.dataDir })
  const tiny = new Uint8Array(await readFile(join(MODELS, 'tiny.onnx')))
  const mlp = new Uint8Array(await readFile(join(MODELS, 'mlp.onnx')))
  const out: string[] = []
  const say = (line: string) => {
    out.push(line)
    console.log(line)
  }
  try {
    await new Promise((r) => setTimeout(r, 3000)) // providers' capacity adverts reach the requester

    const partsAC = async () => {
      // (c) submit → first result on an idle network
      stage('(c) submit → first result')
      const firsts: { client: number; node: number }[] = []
      for (let r = 0; r < (ONLY_A ? 0 : RUNS); r++) {
        const { done, t0, firstSeen } = await runJob(client, tiny, { x: rows(2, 4) }, 1)
        firsts.push({ client: firstSeen - t0, node: (done.firstResultAt ?? 0) - done.createdAt })
        await new Promise((res) => setTimeout(res, 1500))
      }
      const offerMs = requester.logs
        .filter((l) => l.includes('offers collected'))
        .map((l) => JSON.parse(l).ms as number)

      // (a) tiny one-sample tasks
      stage('(a) local baseline, sequential latency, pipelined job')
      const tinyInputs = { x: rows(TASKS, 4) }
      const local = await localPerTask(tiny, tinyInputs, TASKS)
      const localMedian = quantile(local.times, 0.5)
      const a1 = await sequentialLatency(net, tiny, tinyInputs)
      const over = a1.rtt.map((t) => t - localMedian)
      stage('(a2) pipelined job')
      const {
        value: a2,
        requesterCpu: a2ReqCpu,
        providersCpu: a2ProvCpu,
      } = await cpuOf(net, () => runJob(client, tiny, tinyInputs, 1))
      const a2Wall = (a2.done.finishedAt ?? 0) - (a2.done.firstResultAt ?? 0)
      const a2PerTask = a2Wall / (TASKS - 1)
      return { firsts, offerMs, local, localMedian, a1, over, a2ReqCpu, a2ProvCpu, a2Wall, a2PerTask }
    }
    const ac = ONLY_B ? undefined : await partsAC()

    // (b) 100k-sample batches, network vs local on the same cores: the fixture MLP (I/O-bound: ~2 µs of
    // compute per sample) and a wider MLP built here (compute-bound: ~280k multiply-adds per sample)
    stage('(b) batches')
    const batch = { x: rows(BATCH, 30) }
    const batches = ONLY_A
      ? []
      : [
          ...(WIDE_ONLY
            ? []
            : [await batchRun(net, client, 'mlp.onnx (30-16-2)', mlp, batch, MLP_SHARDS, false)]),
          ...(MLP_ONLY
            ? []
            : [await batchRun(net, client, 'wide MLP (30-512-512-2)', wideMlp(), batch, WIDE_SHARDS, true)]),
        ]

    say(`\n## dispatch benchmark (${new Date().toISOString()})`)
    if (ac) {
      const { firsts, offerMs, local, localMedian, a1, over, a2ReqCpu, a2ProvCpu, a2Wall, a2PerTask } = ac
      if (!ONLY_A) {
        say(`(c) submit → first result, idle network, ${RUNS} runs (tiny.onnx, 2 samples, 2 providers)`)
        say(
          `    client-side median ${ms(
            quantile(
              firsts.map((f) => f.client),
              0.5,
            ),
          )}  all: ${firsts.map((f) => f.client).join(', ')} ms`,
        )
        say(
          `    node-side  median ${ms(
            quantile(
              firsts.map((f) => f.node),
              0.5,
            ),
          )}  (job created → first result accepted)`,
        )
        say(
          `    offer collection window: median ${ms(quantile(offerMs, 0.5))}  all: ${offerMs.join(', ')} ms   target ≤ 1000 ms`,
        )
      }
      say(`(a) ${TASKS} one-sample tasks of tiny.onnx`)
      say(
        `    local in-process run: median ${ms(localMedian)}, p99 ${ms(quantile(local.times, 0.99))}, wall ${ms(local.wall)}`,
      )
      const ratio = (a: number[], b: number[], q: number) => (quantile(a, q) / quantile(b, q)).toFixed(2)
      say(
        `    a0 floor, same frames on an open libp2p stream to a peer process, interleaved with a1: echo median ${ms(quantile(a1.echo, 0.5))}, p99 ${ms(quantile(a1.echo, 0.99))}; ` +
          `echo through a worker thread median ${ms(quantile(a1.echoWorker, 0.5))}, p99 ${ms(quantile(a1.echoWorker, 0.99))}`,
      )
      say(
        `    a1 latency (1 in flight, ${a1.providers} providers): round trip median ${ms(quantile(a1.rtt, 0.5))}, p99 ${ms(quantile(a1.rtt, 0.99))}`,
      )
      say(
        `       overhead = round trip − local median: median ${ms(quantile(over, 0.5))}, p99 ${ms(quantile(over, 0.99))}   targets ≤ 0.5 / ≤ 3 ms`,
      )
      say(
        `       round trip ÷ echo-through-worker floor: median ${ratio(a1.rtt, a1.echoWorker, 0.5)}×, p99 ${ratio(a1.rtt, a1.echoWorker, 0.99)}×; ` +
          `task work above that floor: median ${ms(quantile(a1.rtt, 0.5) - quantile(a1.echoWorker, 0.5))}`,
      )
      say(
        `    a2 pipelined job through the requester process: ${ms(a2PerTask)} per task (first→last result ${ms(a2Wall)})`,
      )
      say(
        `       overhead = (network wall − local wall) / tasks: ${ms(a2PerTask - local.wall / TASKS)}   ratio network/local ${(a2PerTask / (local.wall / TASKS)).toFixed(1)}×`,
      )
      say(
        `       CPU per task: requester ${ms(a2ReqCpu / TASKS)}, providers (sum) ${ms(a2ProvCpu / TASKS)}   (verification none)`,
      )
    }
    say(
      '(b) network ÷ local throughput, same worker threads (local = the better of one single-threaded session.run ' +
        'over the batch and a worker pool over the same shards); verification none unless said',
    )
    const line = (
      label: string,
      r: NetworkRun,
      local: number,
      shards: number,
      size: number,
      providers: number,
    ) => {
      // The first result comes when each provider has run about one shard, so first→last result covers the
      // rest of the batch: compare it with that share of the local time.
      const localSteady = (local * Math.max(0, BATCH - providers * size)) / BATCH
      say(
        `    ${label}: network end-to-end ${ms(r.e2e)} (${((BATCH / r.e2e) * 1000).toFixed(0)} samples/s), ` +
          `first→last result ${ms(r.steady)}; CPU requester ${ms(r.requesterCpu)} (${ms(r.requesterCpu / shards)}/shard), providers ${ms(r.providersCpu)}`,
      )
      say(
        `       ratio network ÷ local: end-to-end ${(local / r.e2e).toFixed(3)}, steady ${(localSteady / r.steady).toFixed(3)} (local × (batch − one shard per provider) ÷ first→last result)   target ≥ 0.8`,
      )
    }
    for (const b of batches) {
      say(
        `(b) ${BATCH}-sample batch of ${b.name}; local: one session.run ${ms(b.localOne)}; ` +
          b.sizes
            .map(
              (s) =>
                `shard ${s}: 1-worker pool ${ms(b.localPool[1][s])}, 2-worker pool ${ms(b.localPool[2][s])}`,
            )
            .join('; '),
      )
      for (const size of b.sizes) {
        const shards = Math.ceil(BATCH / size)
        const r = b.network[size]
        // local with the same worker threads: the better of that pool and one single-threaded session.run
        const two = Math.min(b.localOne, b.localPool[2][size])
        const one = Math.min(b.localOne, b.localPool[1][size])
        if (r.two)
          line(
            `shard ${size}, 2 providers × 1 thread vs best local on 2 threads`,
            r.two,
            two,
            shards,
            size,
            2,
          )
        line(`shard ${size}, 1 provider × 1 thread vs best local on 1 thread`, r.one, one, shards, size, 1)
        if (r.adaptive)
          line(
            `shard ${size}, 2 providers, verification adaptive, vs best local on 2 threads`,
            r.adaptive,
            two,
            shards,
            size,
            2,
          )
      }
    }
  } catch (err) {
    // the nodes' last log lines explain most failures (refused offers, lost providers, deadlines)
    for (const n of [requester, ...net.providers])
      console.error(`--- ${n.name} (last log lines)\n${n.logs.slice(-25).join('\n')}`)
    throw err
  } finally {
    await net.stop()
  }
}

await main()
