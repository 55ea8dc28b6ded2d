import '../src/polyfill.js'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type MarketSimResult, simulateMarket } from '../src/sim/market-sim.js'
import { writeBenchmarkSection } from './benchmarks-md.js'
import { measureNetwork, type NetworkScale } from './scale-network.js'

/**
 * Scale: (1) a network of real node processes on this machine — how fast a demand reaches every provider,
 * offers per demand, memory per node; (2) the market simulated with the real requester code at 100, 1,000
 * and 10,000 providers (and 100 requesters), each row's growth given against the 100-provider row of the
 * same run.
 * Usage: npm run bench:scale [-- --processes 50] [--jobs 5] [--providers 100,1000,10000] [--requesters 100]
 *        [--no-processes] [--json] [--write] [--from saved.json]
 * --from renders (and with --write records) a run saved from --json instead of measuring again.
 */
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const PROCESSES = Number(arg('processes', '50'))
const JOBS = Number(arg('jobs', '5'))
const SIZES = arg('providers', '100,1000,10000').split(',').map(Number)
const REQUESTERS = Number(arg('requesters', '100'))
const JSON_OUT = process.argv.includes('--json')
const log = (line: string) => process.stderr.write(`${line}\n`)

const f = (x: number, d = 2) => x.toFixed(d)

/** A run's measurements: measured now, or read back from a saved `--json` output (`--from <file>`). */
async function measure(): Promise<{ network?: NetworkScale; simulation: Record<number, MarketSimResult> }> {
  const from = arg('from', '')
  if (from) {
    const saved = JSON.parse(await readFile(from, 'utf8')) as {
      network?: NetworkScale
      simulation: Record<number, { detail: MarketSimResult }>
    }
    return {
      network: saved.network,
      simulation: Object.fromEntries(Object.entries(saved.simulation).map(([n, r]) => [n, r.detail])),
    }
  }
  let network: NetworkScale | undefined
  if (!process.argv.includes('--no-processes')) {
    log(`network of ${PROCESSES} provider processes + a requester + a chain…`)
    const root = await mkdtemp(join(tmpdir(), 'mutirao-scale-'))
    try {
      network = await measureNetwork({ providers: PROCESSES, jobs: JOBS, root, log })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  }
  const simulation: Record<number, MarketSimResult> = {}
  for (const providers of SIZES) {
    log(`simulating ${providers} providers, ${REQUESTERS} requesters…`)
    simulation[providers] = await simulateMarket({
      providers,
      requesters: REQUESTERS,
      jobsPerRequester: 3,
      shardsPerJob: 40,
      seed: 1,
    })
  }
  return { network, simulation }
}

async function main() {
  const { network, simulation } = await measure()
  const sizes = Object.keys(simulation).map(Number)
  const out = {
    processes: network?.processes,
    demandReach1s: network?.demandReach1s,
    rssMbPerNode: network?.rssMbPerNode.median,
    network,
    simulation: Object.fromEntries(
      Object.entries(simulation).map(([n, r]) => [
        n,
        {
          jobSeconds: r.jobSeconds.median,
          jobSecondsP95: r.jobSeconds.p95,
          requesterCpuMsPerTask: r.requesterCpuMsPerTask,
          requesterCpuMsPerOffer: r.requesterCpuMsPerOffer,
          offersPerDemand: r.offersPerDemand,
          offersSentPerDemand: r.offersSentPerDemand,
          wrongAccepted: r.wrongAccepted,
          detail: r,
        },
      ]),
    ),
  }
  if (JSON_OUT) console.log(JSON.stringify(out))
  const base = simulation[sizes[0]]
  const lines = [
    '## Scale',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}. Command: \`npm run bench:scale\`` +
      ` (${new Date().toISOString().slice(0, 10)}).`,
    '',
  ]
  if (network)
    lines.push(
      `**${network.processes} node processes** (a requester and ${network.processes - 1} providers, one chain, 127.0.0.1;` +
        ` started and all adverts heard in ${f(network.startSeconds, 0)} s): ${network.demands} demands;` +
        ` reached ${f(100 * network.demandReach1s, 1)} % of (demand, provider) pairs within 1 s (goal ≥ 95 %);` +
        ` delay median ${f(network.reachMs.median, 0)} ms, p95 ${f(network.reachMs.p95, 0)} ms, max ${f(network.reachMs.max, 0)} ms;` +
        ` ${f(network.offersPerDemand, 1)} offers per demand; ${network.jobs - network.jobFailures.length} of` +
        ` ${network.jobs} jobs done${network.jobFailures.length ? ` (failed: ${network.jobFailures.join('; ')})` : ''};` +
        ` idle CPU ${f(network.idleCpuPercentPerNode, 1)} % of a core per provider node; RSS per provider node median` +
        ` ${f(network.rssMbPerNode.median, 0)} MB, max ${f(network.rssMbPerNode.max, 0)} MB.`,
      '',
    )
  lines.push(
    `**Simulated market** (\`src/sim/market-sim.ts\`: the real offer sampling, offer signature checks, result hashes,` +
      ` ranking, adaptive verification and quorum; ${base.requesters} requesters × 3 jobs × 40 shards; 5 % cheaters` +
      ' wrong on 30 % of tasks; 5 % churn; latency median 40 ms; ratios against the first row):',
    '',
    '| providers | job s (median / p95) | ×first | CPU ms per task | ×first | CPU ms per offer | offers sent / read per demand | executions per task | wrong accepted | failed tasks | cheaters excluded | wall s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...sizes.map((n) => {
      const r = simulation[n]
      return `| ${n} | ${f(r.jobSeconds.median, 1)} / ${f(r.jobSeconds.p95, 1)} | ${f(r.jobSeconds.median / base.jobSeconds.median)} | ${f(r.requesterCpuMsPerTask, 3)} | ${f(r.requesterCpuMsPerTask / base.requesterCpuMsPerTask)} | ${f(r.requesterCpuMsPerOffer, 3)} | ${f(r.offersSentPerDemand, 1)} / ${f(r.offersPerDemand, 1)} | ${f(r.executionsPerTask)} | ${r.wrongAccepted} | ${r.failedTasks} | ${r.cheatersExcluded} | ${f(r.wallMs / 1000, 0)} |`
    }),
    '',
  )
  const section = lines.join('\n')
  if (!JSON_OUT) console.log(section)
  if (process.argv.includes('--write')) writeBenchmarkSection('Scale', `${section}\n`)
}

await main()
