// npm run bench:dispatch — dispatch overhead of the compute market, all in one run on 127.0.0.1.
// Needs the built CLI (`npm run build`): the requester and the two providers are real `mutirao` processes.
//   (a) 2,000 one-sample tasks of tiny.onnx: per-task overhead against the same tasks run in-process
//       a0 floor: the same frames echoed by a peer process on an open libp2p stream (bench/echo-peer.ts), at once
//          and through a worker thread, interleaved with a1 so that both see the same load;
//       a1 latency: one task in flight at a time from an in-bench requester (real market, real ProviderSession
//          to the provider processes), each task's round trip minus the local median run time;
//       a2 pipelined: a real 2,000-task job through the requester process, (network wall − local wall) / tasks.
//       a3 scheduler throughput: the same job with adaptive verification (receipts and vouchers are always on):
//          tasks (replicas included) per second of first → last result, and requester CPU per task.
//   (b) 100,000-sample batches (mlp.onnx, and a compute-bound wide MLP): network ÷ local throughput with the
//       same worker threads: 2 providers × 1 thread against a 2-worker local pool, and 1 provider × 1 thread
//       against a 1-worker local pool (the requester then has the other core, as a real requester would).
//   (b, pinned) a wider MLP (30-1024-1024-2, ≈ 1.1 M multiply-adds per sample) with the requester pinned to CPU 0 and one provider to CPU 1 (taskset), against
//       the same model on one pinned core locally: end-to-end and steady ratios (issue 17, item 1b).
//   (c) submit → first result on an idle network (median of several runs), with the offer window.
// Raw dispatch jobs run with verification policy `none` (every shard runs once); the default `adaptive`
// replicates the shards of untrusted providers, so it is reported separately (wide MLP, 2 providers).
// CPU time (utime + stime from /proc, worker threads included) of the requester and provider processes is
// reported next to wall times: on a shared machine it moves much less with the load than wall time does.
// Options: --tasks N (a, default 2000), --batch N (b, default 100000), --runs N (c, default 5),
// --only-b (skip (a) and (c)), --only-a (skip (b) and (c)), --wide-only / --mlp-only (b: only that model), --wide-shards N,N… and
// --mlp-shards N,N… (b: shard sizes, default 2000,10000 and 256,2000), --one-provider-only (b: only the
// 1-provider jobs), --pinned-shard N (default 10000), --json (one JSON object on stdout:
// { roundTripOverFloor, pinnedEndToEnd, pinnedSteady, tasksPerSecond, … }; the report goes to stderr).
// Profiling (bench/profile-preload.cjs): with PROF_FLAG=<path> and PROF_JOB=<model name>:<shard size> (or `a1`,
// `a3`, `pinned`), the bench creates that file while that 1-provider job (or the timed a1 loop, or the pinned job) runs, and the preload profiles every process while it exists.
import '../src/polyfill.js'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { connect } from '../src/sdk/client.js'
import { quantile } from '../src/sim/events.js'
import { assertCliBuilt, startNetwork } from '../test/helpers/network.js'
import { batchRun, type NetworkRun, wideMlp } from './dispatch-batch.js'
import { cpuOf, ms, rows, runJob, stage, startProfiles, stopProfiles } from './dispatch-common.js'
import { localPerTask, sequentialLatency } from './dispatch-latency.js'
import { pinnedRun } from './dispatch-pinned.js'

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
const sizesArg = (name: string, def: number[]) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1].split(',').map(Number) : def
}
const WIDE_SHARDS = sizesArg('wide-shards', [2000, 10000])
const MLP_SHARDS = sizesArg('mlp-shards', [256, 2000])
const MLP_ONLY = flag('mlp-only')
const ONE_ONLY = flag('one-provider-only')
const JSON_OUT = flag('json')
const PINNED_SHARD = arg('pinned-shard', 10_000)
const MODELS = resolve(import.meta.dirname, '../test/fixtures/models')

async function main() {
  assertCliBuilt()
  // the nodes log at debug so that the requester's offer-collection times can be read back
  const net = await startNetwork({ providers: 2, env: { MUTIRAO_LOG: 'debug' } })
  const { requester } = net
  const client = await connect({ dataDir: requester.dataDir })
  const tiny = new Uint8Array(await readFile(join(MODELS, 'tiny.onnx')))
  const mlp = new Uint8Array(await readFile(join(MODELS, 'mlp.onnx')))
  const out: string[] = []
  const say = (line: string) => {
    out.push(line)
    if (JSON_OUT) process.stderr.write(`${line}\n`)
    else console.log(line)
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
      const a1 = await sequentialLatency(net, tiny, tinyInputs, TASKS)
      const over = a1.rtt.map((t) => t - localMedian)
      stage('(a2) pipelined job')
      const {
        value: a2,
        requesterCpu: a2ReqCpu,
        providersCpu: a2ProvCpu,
      } = await cpuOf(net, () => runJob(client, tiny, tinyInputs, 1))
      const a2Wall = (a2.done.finishedAt ?? 0) - (a2.done.firstResultAt ?? 0)
      const a2PerTask = a2Wall / (TASKS - 1)
      stage('(a3) scheduler throughput: the same job with adaptive verification, receipts and vouchers')
      if (process.env.PROF_JOB === 'a3') await startProfiles()
      const a3 = await cpuOf(net, () => runJob(client, tiny, tinyInputs, 1, 'adaptive'))
      if (process.env.PROF_JOB === 'a3') await stopProfiles()
      const v = a3.value.done.verification
      const a3Tasks = TASKS + (v?.replicaTasks ?? 0) + (v?.canaryTasks ?? 0)
      const a3Wall = (a3.value.done.finishedAt ?? 0) - (a3.value.done.firstResultAt ?? 0)
      const scheduler = {
        tasks: a3Tasks,
        replicaTasks: v?.replicaTasks ?? 0,
        wallMs: a3Wall,
        tasksPerSecond: (a3Tasks / a3Wall) * 1000,
        requesterCpuMsPerTask: a3.requesterCpu / a3Tasks,
        providersCpuMsPerTask: a3.providersCpu / a3Tasks,
      }
      return {
        firsts,
        offerMs,
        local,
        localMedian,
        a1,
        over,
        a2ReqCpu,
        a2ProvCpu,
        a2Wall,
        a2PerTask,
        scheduler,
      }
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
            : [await batchRun(net, client, 'mlp.onnx (30-16-2)', mlp, batch, MLP_SHARDS, false, ONE_ONLY)]),
          ...(MLP_ONLY
            ? []
            : [
                await batchRun(
                  net,
                  client,
                  'wide MLP (30-512-512-2)',
                  wideMlp(),
                  batch,
                  WIDE_SHARDS,
                  true,
                  ONE_ONLY,
                ),
              ]),
        ]
    stage(
      `(b) pinned: requester on CPU 0, provider on CPU 1, 30-1024-1024-2 MLP in shards of ${PINNED_SHARD}`,
    )
    const pinned = ONLY_A ? undefined : await pinnedRun(net, client, wideMlp(1024), batch, PINNED_SHARD)

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
      const sc = ac.scheduler
      say(
        `    a3 scheduler throughput, verification adaptive with receipts and vouchers: ${sc.tasksPerSecond.toFixed(0)} tasks/s ` +
          `(${sc.tasks} tasks incl. ${sc.replicaTasks} replicas, first→last result ${ms(sc.wallMs)})   goal ≥ 1000/s`,
      )
      say(
        `       CPU per task: requester ${ms(sc.requesterCpuMsPerTask)} (one requester core: ${(1000 / sc.requesterCpuMsPerTask).toFixed(0)} tasks/s), providers (sum) ${ms(sc.providersCpuMsPerTask)}`,
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
    if (pinned) {
      const r = pinned.run
      say(
        `(b) pinned, ${BATCH}-sample batch of a 30-1024-1024-2 MLP in shards of ${pinned.shardSize}: requester on CPU 0, provider × 1 thread on CPU 1, local on CPU 1 ${ms(pinned.localMs)}`,
      )
      say(
        `    network end-to-end ${ms(r.e2e)}, first→last result ${ms(r.steady)}; CPU requester ${ms(r.requesterCpu)}, provider ${ms(r.providersCpu)}`,
      )
      say(
        `    ratio network ÷ local: end-to-end ${pinned.endToEnd.toFixed(3)} (goal ≥ 0.8), steady ${pinned.steady.toFixed(3)} (goal ≥ 0.9)`,
      )
    }
    if (JSON_OUT) {
      const median = (xs: number[]) => quantile(xs, 0.5)
      console.log(
        JSON.stringify({
          roundTripOverFloor: ac ? median(ac.a1.rtt) / median(ac.a1.echoWorker) : null,
          pinnedEndToEnd: pinned?.endToEnd ?? null,
          pinnedSteady: pinned?.steady ?? null,
          tasksPerSecond: ac?.scheduler.tasksPerSecond ?? null,
          roundTripMs: ac ? median(ac.a1.rtt) : null,
          floorMs: ac ? median(ac.a1.echoWorker) : null,
          requesterCpuMsPerTask: ac?.scheduler.requesterCpuMsPerTask ?? null,
          providersCpuMsPerTask: ac?.scheduler.providersCpuMsPerTask ?? null,
          pinned: pinned ?? null,
        }),
      )
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
