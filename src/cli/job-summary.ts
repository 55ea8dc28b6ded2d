import type { JobProgress } from '../requester/job-spec.js'
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
