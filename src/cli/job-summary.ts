import { formatPrice, mutAmount } from '../market/price.js'
import type { EscrowFacts } from '../requester/job-explain.js'
import type { JobProgress, VerificationProgress } from '../requester/job-spec.js'
import { bold, shortPeer } from './output.js'

/** A job's escrow as the API reports it (`GET /v1/jobs/:id`), amounts in base units. */
export type EscrowView = EscrowFacts

/** Base units as MUT (18 decimals), trailing zeros trimmed: `2500000000000000` → `0.0025 MUT`. */
export const mut = (baseUnits: string | bigint): string => `${mutAmount(baseUnits)} MUT`

/** A human summary of a finished job: status, time, units, the work of each provider, and the money. */
export function formatJobSummary(p: JobProgress & { escrow?: EscrowView | null }): string {
  const secs = ((p.finishedAt ?? Date.now()) - p.createdAt) / 1000
  const first = p.firstResultAt ? `${((p.firstResultAt - p.createdAt) / 1000).toFixed(2)} s` : '-'
  const lines = [
    `${bold(p.jobId)}${p.name ? ` (${p.name})` : ''}: ${p.status}${p.error ? ` — ${p.error}` : ''}`,
    `  samples    ${p.samplesDone}/${p.samplesTotal} in ${p.shardsTotal} shards`,
    `  work       ${p.unitsDone} units (${p.costPerSample} per sample)`,
    `  time       ${secs.toFixed(2)} s total, first result after ${first}`,
    `  providers  ${p.providers.length}`,
  ]
  for (const w of p.providers) {
    const ran = w.executionProviders?.length ? ` on ${w.executionProviders.join(' + ')}` : ''
    lines.push(
      `    ${shortPeer(w.provider).padEnd(17)} ${String(w.shards).padStart(5)} shards ${String(w.samples).padStart(8)} samples ${String(w.units).padStart(10)} units${ran}`,
    )
    if (w.epFallback) lines.push(`      fell back to the CPU: ${w.epFallback}`)
  }
  if (p.providers.some((w) => w.units > w.samples * p.costPerSample))
    lines.push(
      '    (shards: the outputs kept from that provider; units: all its paid work, checks of others included)',
    )
  const v = p.verification
  if (v) lines.push(`  verified   ${verificationLine(v)}`)
  const e = p.escrow
  if (e) {
    lines.push(`  price      ${formatPrice(e.pricePerUnit)} (the clearing price every provider is paid)`)
    if (e.cost !== undefined) lines.push(`  cost       ${mut(e.cost)} for the accepted work`)
    if (e.budget)
      lines.push(
        `  escrow     ${mut(e.budget)} locked in escrow job #${e.escrowJob}; ${escrowEnd(p.jobId, e)}`,
      )
  }
  for (const n of p.notices ?? []) lines.push(`  notice     ${n.code}: ${n.message}`)
  const disputes = p.verification?.disputes ?? []
  if (disputes.length) {
    const n = (s: string) => disputes.filter((d) => d.status === s).length
    lines.push(
      `  disputes   ${n('filed')} filed, ${n('skipped')} skipped, ${n('failed')} failed${n('filing') ? `, ${n('filing')} pending` : ''}`,
    )
    for (const d of disputes)
      lines.push(
        `    ${shortPeer(d.accused).padEnd(17)} shard ${d.shard} ${d.status}${d.disputeId ? ` (dispute #${d.disputeId})` : ''}${d.reason ? ` — ${d.reason}` : ''}`,
      )
  }
  return lines.join('\n')
}

/** What became of a job's escrow: refunded at closing, reclaimed, or refundable later and why. */
function escrowEnd(jobId: string, e: EscrowView): string {
  if (e.refunded) {
    const tx = e.settlement?.status === 'settled' ? ` (tx ${e.settlement.txHash})` : ''
    return `${mut(e.refunded)} refunded when the job ended, every provider paid${tx}`
  }
  if (e.reclaimed) return `${mut(e.reclaimed)} reclaimed`
  const why = e.settlement?.status === 'open' ? ` — not closed early: ${e.settlement.reason}` : ''
  return `${mut(e.refundable ?? '0')} refundable after the redeem window (\`mutirao ledger reclaim ${jobId}\`)${why}`
}

/**
 * The `mutirao jobs` table: one line a job with status, samples, providers, what it cost, how its shards were
 * verified (`4✓ 2?` = 4 cross-checked, 2 unchecked) and its latest notice or error.
 */
export function jobsTable(jobs: (JobProgress & { escrow?: EscrowView | null })[]): string {
  const rows = [['JOB', 'STATUS', 'SAMPLES', 'PROV', 'COST (MUT)', 'VERIFIED', 'CREATED', 'NOTE']]
  for (const j of jobs) {
    const s = j.verification?.shards
    const verified = s
      ? [
          s.checked && `${s.checked}✓`,
          s.single && `${s.single}·`,
          s.unchecked && `${s.unchecked}?`,
          s.local && `${s.local}⌂`,
        ]
          .filter(Boolean)
          .join(' ') || '-'
      : '-'
    const note = j.error ?? j.notices?.at(-1)?.message ?? ''
    rows.push([
      j.jobId,
      j.status,
      `${j.samplesDone}/${j.samplesTotal}`,
      String(j.providers.length),
      j.escrow?.cost ? mutAmount(j.escrow.cost) : '-',
      verified,
      new Date(j.createdAt).toISOString().slice(0, 19).replace('T', ' '),
      note.length > 60 ? `${note.slice(0, 59)}…` : note,
    ])
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)))
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** How a job's results were verified, in words: policy, how each shard was accepted, checks and their outcome. */
export function verificationLine(v: VerificationProgress): string {
  const parts = [`policy ${v.policy}`]
  const s = v.shards
  if (s) {
    const how = [
      s.checked && `${s.checked} cross-checked by ≥ 2 providers`,
      s.single &&
        `${s.single} from one provider (${v.policy === 'none' ? 'no checks asked' : 'not drawn for a check'})`,
      s.unchecked && `${s.unchecked} UNCHECKED (no second provider; fallback: unchecked)`,
      s.local && `${s.local} computed here`,
    ].filter(Boolean)
    if (how.length) parts.push(`shards: ${how.join(', ')}`)
  }
  if (v.replicaTasks || v.canaryTasks) parts.push(`${v.replicaTasks} check tasks, ${v.canaryTasks} canaries`)
  if (v.invalid) parts.push(`${v.invalid} invalid results`)
  if (v.excluded.length) parts.push(`${v.excluded.length} provider(s) excluded`)
  return parts.join('; ')
}
