/**
 * `bench:scale`'s process network: a chain, a requester and N provider processes on 127.0.0.1 (real libp2p,
 * gossipsub, contracts on anvil); jobs submitted one after another; how fast each demand reached the providers
 * (each provider's own record of when it saw it, `GET /v1/provider/demands`), how many offered, and the
 * resident memory of every provider process.
 */

import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { dataDirLayout } from '../src/identity/data-dir.js'
import { readNodeInfo } from '../src/node/node-info.js'
import { connect } from '../src/sdk/client.js'
import { quantile } from '../src/sim/events.js'
import { type TestNode as LocalNode, startChainProcess, startNodeProcess } from '../test/helpers/network.js'
import { wdbcFeatures } from '../test/helpers/wdbc.js'
import { cpuMs, rssMb } from './proc-stats.js'

const MLP = resolve(import.meta.dirname, '../test/fixtures/models/mlp.onnx')
// 50 nodes share 2 cores: a node started late waits for CPU behind the others' gossip and adverts
process.env.MUTIRAO_READY_TIMEOUT_MS ??= '180000'

export interface NetworkScale {
  processes: number
  /** Share of (demand, provider) pairs where the provider saw the demand within 1 s of its publication. */
  demandReach1s: number
  reachMs: { median: number; p95: number; max: number }
  jobs: number
  /** Why each failed job failed. */
  jobFailures: string[]
  /** Offers sent per demand (providers outside the demand's offer sample stay silent). */
  offersPerDemand: number
  demands: number
  rssMbPerNode: { median: number; max: number }
  /** CPU of one idle provider node (all of them running, no job), % of one core, over 10 s. */
  idleCpuPercentPerNode: number
  startSeconds: number
}

async function idleCpuPercent(pids: number[], ms: number): Promise<number> {
  const before = await Promise.all(pids.map(cpuMs))
  await new Promise((r) => setTimeout(r, ms))
  const after = await Promise.all(pids.map(cpuMs))
  const used = after.reduce((s, a, i) => s + a - before[i], 0)
  return (100 * used) / ms / pids.length
}

async function demandsSeen(node: LocalNode, since: number) {
  const { info, token } = await readNodeInfo(dataDirLayout(node.dataDir))
  const res = await fetch(`${info.apiUrl}/v1/provider/demands?since=${since}`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return (await res.json()) as { demandId: string; at: number; decision: string }[]
}

/** Start the network, run `jobs` small jobs, measure, stop everything (also on failure). */
export async function measureNetwork(o: {
  providers: number
  jobs: number
  root: string
  log: (line: string) => void
}): Promise<NetworkScale> {
  const started = performance.now()
  const chain = await startChainProcess(resolve(o.root, 'chain'))
  const nodes: LocalNode[] = []
  try {
    const requester = await startNodeProcess('requester', resolve(o.root, 'requester'), chain.args)
    nodes.push(requester)
    // a few at a time, each kept as soon as it is up, so that `finally` stops it even when another fails
    for (let i = 0; i < o.providers; i += 5) {
      const batch = Array.from({ length: Math.min(5, o.providers - i) }, (_, k) => `provider-${i + k + 1}`)
      const up = await Promise.allSettled(
        batch.map((name) =>
          startNodeProcess(name, resolve(o.root, name), [
            '--provide',
            '--bootstrap',
            requester.multiaddrs[0],
            ...chain.args,
          ]).then((node) => nodes.push(node)),
        ),
      )
      const failed = up.find((r) => r.status === 'rejected')
      if (failed) throw failed.reason
      o.log(
        `  ${nodes.length - 1} providers started (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      )
    }
    const providers = nodes.slice(1)
    const client = await connect({ dataDir: requester.dataDir })
    // every provider's capacity advert heard before the jobs
    for (const end = Date.now() + 120_000; ; ) {
      const node = (await client.node()) as { knownProviders?: unknown[] }
      if ((node.knownProviders?.length ?? 0) >= o.providers || Date.now() > end) break
      await new Promise((r) => setTimeout(r, 500))
    }
    const startSeconds = (performance.now() - started) / 1000
    const idleCpuPercentPerNode = await idleCpuPercent(
      providers.map((p) => p.proc.pid!),
      10_000,
    )
    o.log(`  idle: ${idleCpuPercentPerNode.toFixed(1)} % of a core per provider node`)
    const model = new Uint8Array(await readFile(MLP))
    const since = Date.now()
    const failures: string[] = []
    for (let j = 0; j < o.jobs; j++) {
      const inputs = { x: await wdbcFeatures(40) }
      const t = performance.now()
      // a failed job is a result too (the demands it published are measured all the same)
      await client
        .infer({ model, inputs, shardSize: 10, providers: { min: 1, max: 4 } })
        .then(() =>
          o.log(`  job ${j + 1}/${o.jobs} done in ${((performance.now() - t) / 1000).toFixed(1)} s`),
        )
        .catch((err: Error) => {
          failures.push(err.message.split('\n')[0])
          o.log(`  job ${j + 1}/${o.jobs} failed: ${failures.at(-1)}`)
        })
    }
    await new Promise((r) => setTimeout(r, 2000)) // late gossip still counts, only past 1 s
    const published = requester.logs
      .map((l) => {
        try {
          return JSON.parse(l) as { msg?: string; demand?: string; time?: string | number }
        } catch {
          return {}
        }
      })
      .filter((e) => e.msg === 'demand published' && e.demand)
      .map((e) => ({ id: e.demand!, at: new Date(e.time!).getTime() }))
      .filter((d) => d.at >= since)
    const seen = await Promise.all(providers.map((p) => demandsSeen(p, since)))
    const delays: number[] = []
    let reached = 0
    let offers = 0
    for (const d of published)
      for (const list of seen) {
        const s = list.find((x) => x.demandId === d.id)
        if (!s) continue
        delays.push(s.at - d.at)
        if (s.at - d.at <= 1000) reached++
        if (s.decision === 'offered') offers++
      }
    const rss = await Promise.all(providers.map((p) => rssMb(p.proc.pid!)))
    return {
      processes: providers.length + 1,
      demandReach1s: reached / Math.max(1, published.length * providers.length),
      reachMs: { median: quantile(delays, 0.5), p95: quantile(delays, 0.95), max: Math.max(...delays) },
      offersPerDemand: offers / Math.max(1, published.length),
      demands: published.length,
      jobs: o.jobs,
      jobFailures: failures,
      rssMbPerNode: { median: quantile(rss, 0.5), max: Math.max(...rss) },
      idleCpuPercentPerNode,
      startSeconds,
    }
  } finally {
    await Promise.all(nodes.map((n) => n.stop()))
    await chain.stop()
  }
}
