import { Command } from 'commander'
import { formatPrice, mutAmount } from '../../market/price.js'
import type { ConnectionView } from '../../net/connections.js'
import { holePunchText, portMappingText } from '../../net/nat-text.js'
import { otherNetworksSentence } from '../../net/neighbours.js'
import type { OracleRecord } from '../../oracle/oracle-service.js'
import type { WorkView } from '../../provider/current-work.js'
import type { ProviderReputation } from '../../requester/attestation-pool.js'
import { connect } from '../../sdk/client.js'
import { type SeenByOthers, seenByOthersText } from '../../verify/seen-by-others.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao status`: the local node's identity, peers, provider state and known providers. */
export function statusCommand(): Command {
  return new Command('status')
    .description("show the running node's identity, addresses, peers, provider state and known providers")
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const s = (await (await connect({ dataDir: opts.dataDir })).node()) as Record<string, never>
        if (opts.json) return printJson(s)
        console.log(`network       ${s.network}`)
        console.log(`peer id       ${s.peerId}`)
        console.log(`eth address   ${s.ethAddress}`)
        console.log(`peers         ${s.peers}`)
        for (const a of s.multiaddrs as string[])
          console.log(`${a.includes('/p2p-circuit') ? 'via relay ' : 'listening '}    ${a}`)
        const conns = (s.connections ?? []) as ConnectionView[]
        const relayed = conns.filter((c) => c.path === 'relayed')
        console.log(`connections   ${conns.length - relayed.length} direct, ${relayed.length} relayed`)
        for (const c of relayed)
          console.log(`  relayed     ${c.peer} (no direct path found; within the relay's limits)`)
        if (s.holePunch) console.log(`hole punching ${holePunchText(s.holePunch)}`)
        if (s.portMapping) console.log(`port mapping  ${portMappingText(s.portMapping)}`)
        const elsewhere = otherNetworksSentence(s.network, s.otherNetworks ?? [])
        if (elsewhere) console.log(`other networks ${elsewhere}`)
        for (const line of providerLines(s.provider)) console.log(line)
        for (const line of oracleLines(s.oracle)) console.log(line)
        const known = s.knownProviders as {
          peerId: string
          threads: number
          pricePerUnit: string
          accepting: boolean
        }[]
        console.log(`known providers ${known.length}`)
        for (const k of known)
          console.log(
            `  ${k.peerId}  ${k.threads} threads, asks ${formatPrice(k.pricePerUnit)}, ${k.accepting ? 'accepting' : 'paused'}`,
          )
        const rep = (s.reputation ?? {}) as Record<string, ProviderReputation>
        for (const [p, r] of Object.entries(rep)) {
          const attested = r.attested === null ? '-' : `${r.attested.toFixed(2)} by ${r.attesters}`
          console.log(
            `reputation    ${p} ${r.effective.toFixed(2)} (own ${r.own.toFixed(2)}, attested ${attested})`,
          )
        }
      }),
    )
}

/** The provider part of `status`, in words: accepting or paused and why, its ask, its task counts. */
export function providerLines(
  p:
    | {
        accepting: boolean
        foreignLoad?: number
        pricePerUnit: string | number
        tasks: { running: number; completed: number; failed: number; refused: number }
        streams?: { open: number; samples: number; refused: number }
        execution?: ExecutionView
        seenByOthers?: SeenByOthers
        work?: WorkView[]
      }
    | null
    | undefined,
): string[] {
  if (!p) return ['provider      off (start with --provide)']
  const load =
    p.foreignLoad === undefined
      ? ''
      : ` (other programs use ${(p.foreignLoad * 100).toFixed(0)} % of the CPU)`
  const state = p.accepting ? 'accepting work' : `paused: idle-only, the owner is using the machine${load}`
  const t = p.tasks
  return [
    `provider      ${state}`,
    `  ask         ${formatPrice(BigInt(p.pricePerUnit))} (${p.pricePerUnit} base units per work unit)`,
    `  tasks       ${t.running} running, ${t.completed} completed, ${t.failed} failed, ${t.refused} refused`,
    `  reputation  ${seenByOthersText(p.seenByOthers)}`,
    ...(p.work ?? [])
      .filter((w) => w.closedAt === undefined)
      .map(
        (w) =>
          `  computing   for ${w.requester} (${w.jobId}): ${w.running} running, ${w.completed} done, ${w.units} units = ${mutAmount(w.earned)} MUT`,
      ),
    ...executionLines(p.execution),
    p.streams
      ? `  streams     ${p.streams.open} sessions open, ${p.streams.samples} samples answered, ${p.streams.refused} refused (${BigInt(p.pricePerUnit) > 0n ? 'paid at the ask' : 'free: price 0'})`
      : '  streams     not served (--serve-streams serves streaming sessions)',
  ]
}

/** Where a provider runs models, as `status` gets it from the node. */
export interface ExecutionView {
  preferred: string
  active: string
  probe?: { ok: boolean; runMs?: number; cpuRunMs?: number; maxAbsDiff?: number; error?: string }
  fallbacks?: { model: string; fallback?: string }[]
  /** Every execution provider probed at start. */
  providers?: { name: string; available: boolean; adapter?: string; score?: number; error?: string }[]
}

/** The execution lines of `status`: the provider models run on, the probe's numbers, every CPU fallback. */
export function executionLines(e: ExecutionView | undefined): string[] {
  if (!e) return []
  const ms = (x?: number) => (x === undefined ? '?' : x < 1 ? x.toFixed(3) : x.toFixed(1))
  const probe = e.probe
  const head =
    e.active === e.preferred
      ? `  execution   ${e.active}${probe?.ok ? ` (probe: ${ms(probe.runMs)} ms vs ${ms(probe.cpuRunMs)} ms on the CPU, outputs within ${probe.maxAbsDiff?.toExponential(1)})` : ''}`
      : `  execution   ${e.active} — ${e.preferred} unavailable: ${probe?.error ?? 'not probed'}`
  const probed = (e.providers ?? []).map((p) =>
    p.available
      ? `  probed      ${p.name}: ${p.score ?? '?'} rows/s on ${p.adapter ?? 'unknown'}`
      : `  probed      ${p.name}: unavailable — ${p.error ?? 'no reason given'}`,
  )
  return [
    head,
    ...probed,
    ...(e.fallbacks ?? []).map(
      (f) => `  fallback    model ${f.model.slice(0, 12)}… runs on the CPU: ${f.fallback}`,
    ),
  ]
}

/** The oracle part of `status`: the requests this provider saw, newest first, and what it did. */
export function oracleLines(
  o: { address?: string; requests: OracleRecord[] } | null | undefined,
  show = 10,
): string[] {
  if (!o) return []
  const count = (st: OracleRecord['status']) => o.requests.filter((r) => r.status === st).length
  const lines = [
    `oracle        serving ${o.address}: ${count('paid')} paid, ${count('answered')} awaiting quorum, ${count('outvoted')} outvoted, ${count('skipped')} skipped, ${count('failed') + count('late')} not taken`,
  ]
  for (const r of o.requests.slice(0, show)) {
    const what =
      r.status === 'paid'
        ? `paid ${mutAmount(r.earned ?? '0')} MUT${r.disputes?.length ? `, accused the minority (dispute ${r.disputes.join(', ')})` : ''}`
        : r.status === 'answered'
          ? `answered [${(r.values ?? []).join(', ')}], waiting for the quorum`
          : `${r.status}${r.reason ? `: ${r.reason}` : ''}`
    lines.push(`  request ${r.id}  ${what}`)
  }
  return lines
}
