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
  return lines.join('\n')
}
