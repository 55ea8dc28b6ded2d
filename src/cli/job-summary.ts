import type { JobProgress, VerificationProgress } from '../requester/job-spec.js'
import { bold, shortPeer } from './output.js'

/** A human summary of a finished job: status, time, units, and the work of each provider. */
export function formatJobSummary(p: JobProgress): string {
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
    lines.push(
      `    ${shortPeer(w.provider).padEnd(17)} ${String(w.shards).padStart(5)} shards ${String(w.samples).padStart(8)} samples ${String(w.units).padStart(10)} units`,
    )
  }
  if (p.providers.some((w) => w.units > w.samples * p.costPerSample))
    lines.push(
      '    (shards: the outputs kept from that provider; units: all its paid work, checks of others included)',
    )
  const v = p.verification
  if (v) lines.push(`  verified   ${verificationLine(v)}`)
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
