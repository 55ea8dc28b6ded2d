// npm run bench:dispatch — dispatch overhead of the compute market, all in one run on 127.0.0.1.
// Needs the built CLI (`npm run build`): the requester and the two providers are real `mutirao` processes.
//   (a) 2,000 one-sample tasks of tiny.onnx: per-task overhead against the same tasks run in-process
//       a1 latency: one task in flight at a time from an in-bench requester (real market, real ProviderSession
//          to the provider processes), each task's round trip minus the local median run time;
//       a2 pipelined: a real 2,000-task job through the requester process, (network wall − local wall) / tasks.
//   (b) a 100,000-sample batch of mlp.onnx: network throughput ÷ local throughput on the same cores.
//   (c) submit → first result on an idle network (median of several runs), with the offer window.
// Options: --tasks N (a, default 2000), --batch N (b, default 100000), --runs N (c, default 5).
import '../src/polyfill.js'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { createOnnxExecutor } from '../src/exec/onnx-executor.js'
import { createOnnxSession, runSession } from '../src/exec/onnx-session.js'
import type { TensorMap } from '../src/exec/tensor.js'
import { decodeTensors, encodeTensors, sliceBatch } from '../src/exec/tensor-codec.js'
import { tensorFromValues } from '../src/exec/tensor-values.js'
import { initDataDir } from '../src/identity/init.js'
import { logger } from '../src/log.js'
import { ProviderDirectory } from '../src/market/directory.js'
import { createHost } from '../src/net/host.js'
import { verifyPayload } from '../src/net/signing.js'
import { serveBlobs } from '../src/protocols/blob.js'
import { DOMAINS } from '../src/protocols/ids.js'
import { acquireProviders } from '../src/requester/market-client.js'
import { OfferInbox } from '../src/requester/offer-inbox.js'
import { ProviderSession } from '../src/requester/provider-session.js'
import { connect, type MutiraoClient } from '../src/sdk/client.js'
import { blobStore, sha256Hex } from '../src/store/blob-store.js'
import { CLI, startNodeProcess, type TestNode } from '../test/helpers/network.js'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const TASKS = arg('tasks', 2000)
const BATCH = arg('batch', 100_000)
const RUNS = arg('runs', 5)
const MODELS = resolve(import.meta.dirname, '../test/fixtures/models')

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

async function startNetwork(root: string) {
  // the requester logs at debug so that its offer-collection times can be read back
  const requester = await startNodeProcess('requester', join(root, 'requester'), [], { MUTIRAO_LOG: 'debug' })
  const boot = requester.multiaddrs[0]
  const providers = await Promise.all(
    [1, 2].map((i) =>
      startNodeProcess(`provider-${i}`, join(root, `provider-${i}`), ['--provide', '--bootstrap', boot], {
        MUTIRAO_LOG: 'warn',
      }),
    ),
  )
  return { requester, providers }
}

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

/** (a1) One task in flight at a time from an in-bench requester over the real market and task protocol. */
async function sequentialLatency(root: string, providers: TestNode[], model: Uint8Array, inputs: TensorMap) {
  const log = logger('bench')
  const { identity, layout } = await initDataDir(join(root, 'bench-requester'))
  const host = await createHost({ privateKey: identity.peerKey })
  await host.start()
  const blobs = blobStore(layout.blobs)
  const modelHash = await blobs.put(model)
  await serveBlobs(host, blobs, (_p, h) => h === modelHash)
  const inbox = new OfferInbox()
  await inbox.start(host, log)
  const directory = new ProviderDirectory()
  directory.start(host, log)
  for (const p of providers) await host.dial(multiaddr(p.multiaddrs[0]))
  await new Promise((r) => setTimeout(r, 2000)) // let gossip meshes form
  const agreements = await acquireProviders(
    { host, identity, inbox, directory, log },
    {
      jobId: 'bench-a1-job',
      modelHash,
      modelBytes: model.length,
      costPerSample: 1,
      samples: TASKS,
      maxPricePerUnit: 10n,
      deadline: Date.now() + 600_000,
      want: providers.length,
      exclude: new Set(),
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
  const run = async (i: number) => {
    const t = performance.now()
    const body = encodeTensors(sliceBatch(inputs, i, i + 1))
    const done = new Promise<Uint8Array>((ok) => waiting.set(`t.${i}`, ok))
    sessions[i % sessions.length].send({
      taskId: `t.${i}`,
      samples: 1,
      units: 1,
      inputHash: sha256Hex(body),
      deadline: Date.now() + 60_000,
      body,
    })
    decodeTensors(await done)
    waiting.delete(`t.${i}`)
    return performance.now() - t
  }
  for (let i = 0; i < 200; i++) await run(i % TASKS) // warm-up (sessions, JIT)
  const rtt: number[] = []
  for (let i = 0; i < TASKS; i++) rtt.push(await run(i))
  await Promise.all(sessions.map((s) => s.close().catch(() => {})))
  directory.stop()
  await host.stop()
  return { rtt, providers: sessions.length }
}

/** Submit a job through the requester process and wait for it; returns the final progress. */
async function runJob(client: MutiraoClient, model: Uint8Array, inputs: TensorMap, shardSize: number) {
  const t0 = Date.now()
  const accepted = await client.submit({ model, inputs, shardSize, providers: { min: 1, max: 2 } })
  let firstSeen: number | undefined
  const done = await client.wait(accepted.jobId, {
    onProgress: (p) => {
      if (p.samplesDone > 0) firstSeen ??= Date.now()
    },
  })
  return { done, t0, firstSeen: firstSeen ?? Date.now() }
}

async function main() {
  if (!existsSync(CLI.replace(/bin\/mutirao\.js$/, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first')
  }
  const root = await mkdtemp(join(tmpdir(), 'mutirao-bench-'))
  const { requester, providers } = await startNetwork(root)
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

    // (c) submit → first result on an idle network
    const firsts: { client: number; node: number }[] = []
    for (let r = 0; r < RUNS; r++) {
      const { done, t0, firstSeen } = await runJob(client, tiny, { x: rows(2, 4) }, 1)
      firsts.push({ client: firstSeen - t0, node: (done.firstResultAt ?? 0) - done.createdAt })
      await new Promise((res) => setTimeout(res, 1500))
    }
    const offerMs = requester.logs
      .filter((l) => l.includes('offers collected'))
      .map((l) => JSON.parse(l).ms as number)

    // (a) tiny one-sample tasks
    const tinyInputs = { x: rows(TASKS, 4) }
    const local = await localPerTask(tiny, tinyInputs, TASKS)
    const localMedian = quantile(local.times, 0.5)
    const a1 = await sequentialLatency(root, providers, tiny, tinyInputs)
    const over = a1.rtt.map((t) => t - localMedian)
    const a2 = await runJob(client, tiny, tinyInputs, 1)
    const a2Wall = (a2.done.finishedAt ?? 0) - (a2.done.firstResultAt ?? 0)
    const a2PerTask = a2Wall / (TASKS - 1)

    // (b) 100k-sample batch of the MLP, network vs local on the same cores
    const batch = { x: rows(BATCH, 30) }
    const session = await createOnnxSession(mlp)
    await runSession(session, sliceBatch(batch, 0, 1000))
    let t = performance.now()
    await runSession(session, batch)
    const localOne = performance.now() - t
    await session.release()
    const exec = createOnnxExecutor({ threads: 2, getModel: async () => mlp })
    const mlpHash = sha256Hex(mlp)
    const shardSizes = [256, 2000]
    const localPool: Record<number, number> = {}
    for (const size of shardSizes) {
      await exec.run({ modelHash: mlpHash, inputs: sliceBatch(batch, 0, size) })
      t = performance.now()
      const parts = []
      for (let s = 0; s < BATCH; s += size)
        parts.push(exec.run({ modelHash: mlpHash, inputs: sliceBatch(batch, s, Math.min(BATCH, s + size)) }))
      await Promise.all(parts)
      localPool[size] = performance.now() - t
    }
    await exec.stop()
    const netB: Record<number, { e2e: number; steady: number }> = {}
    for (const size of shardSizes) {
      const { done } = await runJob(client, mlp, batch, size)
      netB[size] = {
        e2e: (done.finishedAt ?? 0) - done.createdAt,
        steady: (done.finishedAt ?? 0) - (done.firstResultAt ?? 0),
      }
    }

    const bestLocal = (size: number) => Math.min(localOne, localPool[size])
    say(`\n## dispatch benchmark (${new Date().toISOString()})`)
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
    say(`(a) ${TASKS} one-sample tasks of tiny.onnx`)
    say(
      `    local in-process run: median ${ms(localMedian)}, p99 ${ms(quantile(local.times, 0.99))}, wall ${ms(local.wall)}`,
    )
    say(
      `    a1 latency (1 in flight, ${a1.providers} providers): round trip median ${ms(quantile(a1.rtt, 0.5))}, p99 ${ms(quantile(a1.rtt, 0.99))}`,
    )
    say(
      `       overhead = round trip − local median: median ${ms(quantile(over, 0.5))}, p99 ${ms(quantile(over, 0.99))}   targets ≤ 0.5 / ≤ 3 ms`,
    )
    say(
      `    a2 pipelined job through the requester process: ${ms(a2PerTask)} per task (first→last result ${ms(a2Wall)})`,
    )
    say(
      `       overhead = (network wall − local wall) / tasks: ${ms(a2PerTask - local.wall / TASKS)}   ratio network/local ${(a2PerTask / (local.wall / TASKS)).toFixed(1)}×`,
    )
    say(
      `(b) ${BATCH}-sample batch of mlp.onnx; local: one session.run ${ms(localOne)}, 2-worker pool ${shardSizes.map((s) => `shard ${s}: ${ms(localPool[s])}`).join(', ')}`,
    )
    for (const size of shardSizes) {
      const n = netB[size]
      say(
        `    shard ${size}: network end-to-end ${ms(n.e2e)} (${((BATCH / n.e2e) * 1000).toFixed(0)} samples/s), first→last result ${ms(n.steady)}`,
      )
      say(
        `       throughput ratio network ÷ best local: end-to-end ${(bestLocal(size) / n.e2e).toFixed(3)}, steady ${(bestLocal(size) / n.steady).toFixed(3)}   target ≥ 0.8`,
      )
    }
  } finally {
    await Promise.all([requester, ...providers].map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  }
}

await main()
