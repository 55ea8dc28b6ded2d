/**
 * The dashboard's views as HTML strings, from the node's API answers (pure: tested in Node). Every value from
 * the API is escaped; amounts are shown in MUT.
 */
import { type FiatRate, fiatAmount } from '../market/fiat.js'
import { formatPrice, mutAmount } from '../market/price.js'
import {
  type HolePunchStats,
  holePunchText,
  type PortMappingStats,
  portMappingText,
} from '../net/nat-text.js'
import type { WorkView } from '../provider/current-work.js'
import { type EscrowFacts, type ExplainableJob, explainJob } from '../requester/job-explain.js'
import type { ShardMap } from '../requester/shard-map.js'
import { type SeenByOthers, seenByOthersText } from '../verify/seen-by-others.js'
import { esc } from './escape.js'
import { shardMapSvg } from './render-shards.js'

export { esc }

/** What the dashboard reads of `GET /v1/node` (loosely typed: older nodes may lack fields). */
export interface NodeView {
  peerId: string
  ethAddress: string
  network?: string
  /** Connected peers that speak another network's protocols (they never trade with this node). */
  otherNetworks?: { network: string; peers: number }[]
  multiaddrs: string[]
  peers: number
  /** Open connections and how each reaches its peer. */
  connections?: { peer: string; path: 'direct' | 'relayed' }[]
  /** Hole punching off loopback (null on a loopback node). */
  holePunch?: HolePunchStats | null
  /** NAT-PMP port mapping (null when off). */
  portMapping?: PortMappingStats | null
  executionProviders?: {
    name: string
    available: boolean
    adapter?: string
    score?: number
    error?: string
  }[]
  provider: null | {
    accepting: boolean
    pricePerUnit: string
    tasks: { running: number; completed: number; failed: number; refused: number }
    explain?: { state: string; reasons: { code: string; message: string }[] }
    seenByOthers?: SeenByOthers
    work?: WorkView[]
  }
  knownProviders?: {
    peerId: string
    threads: number
    pricePerUnit: string
    accepting: boolean
    executionProvider: string
  }[]
}

/** What the dashboard reads of each job of `GET /v1/jobs`: its progress, escrow and (the newest) shard map. */
export interface JobView extends ExplainableJob {
  name?: string
  kind?: string
  /** Who computed, or computes, each shard (the newest jobs only). */
  shardMap?: ShardMap
  escrow?: EscrowFacts | null
}

const short = (id: string) => `${id.slice(0, 10)}…${id.slice(-4)}`

/** "3 direct, 1 relayed (12D3KooW…abcd: no direct path between the two NATs)". */
function connectionsText(conns: NonNullable<NodeView['connections']>): string {
  const relayed = conns.filter((c) => c.path === 'relayed')
  const which = relayed.length
    ? ` (${relayed.map((c) => `<code>${esc(short(c.peer))}</code>`).join(', ')}: no direct path between the two NATs; within the relay's limits)`
    : ''
  return `${conns.length - relayed.length} direct, ${relayed.length} relayed${which}`
}

export function nodeHtml(n: NodeView): string {
  return [
    `<dt>Peer id</dt><dd>${esc(n.peerId)}</dd>`,
    `<dt>Paid to</dt><dd>${esc(n.ethAddress)}</dd>`,
    `<dt>Network</dt><dd>${esc(n.network ?? 'local')}, ${esc(n.peers)} peers connected</dd>`,
    ...(n.otherNetworks ?? []).map(
      (o) =>
        `<dt>Other network</dt><dd class="bad">${esc(o.peers)} connected peer(s) speak network ${esc(o.network)}, not ${esc(n.network ?? 'local')}: they never see this node's demands or offers</dd>`,
    ),
    `<dt>Addresses</dt><dd>${n.multiaddrs.map(esc).join('<br>')}</dd>`,
    ...(n.connections ? [`<dt>Connections</dt><dd>${connectionsText(n.connections)}</dd>`] : []),
    ...(n.holePunch ? [`<dt>Hole punching</dt><dd>${esc(holePunchText(n.holePunch))}</dd>`] : []),
    ...(n.portMapping ? [`<dt>Port mapping</dt><dd>${esc(portMappingText(n.portMapping))}</dd>`] : []),
  ].join('')
}

/** Whom this provider computes for: each task stream, open or recently closed, with its tasks and earnings. */
function workHtml(work: WorkView[]): string {
  if (!work.length) return ''
  const rows = work.map(
    (w) =>
      `<tr><td><code>${esc(short(w.requester))}</code><br><span class="muted">${esc(w.jobId)}, ${esc(w.kind)}${w.escrowJob ? `, escrow job ${esc(w.escrowJob)}` : ''}</span></td><td>${w.running} running, ${w.completed} done${w.failed ? `, <span class="bad">${w.failed} failed</span>` : ''}</td><td>${esc(w.units)} units, ${esc(mutAmount(w.earned))} MUT</td><td>${w.closedAt === undefined ? '<b>open</b>' : 'closed'} since ${esc(new Date(w.since).toLocaleTimeString())}</td></tr>`,
  )
  return `<h3>Computing for</h3><table><thead><tr><th>Requester, job</th><th>Tasks</th><th>Earned at the agreed price</th><th>Stream</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

export function providerHtml(n: NodeView): string {
  const p = n.provider
  if (!p) return '<p class="muted">Not providing: start the node with <code>--provide</code>.</p>'
  const t = p.tasks
  const eps = (n.executionProviders ?? [])
    .map((e) =>
      e.available
        ? `<li class="ok">${esc(e.name)}: ${esc(e.score ?? '?')} rows/s on ${esc(e.adapter ?? 'unknown')}</li>`
        : `<li class="muted">${esc(e.name)}: unavailable — ${esc(e.error ?? '')}</li>`,
    )
    .join('')
  const reasons = (p.explain?.reasons ?? [])
    .map((r) => `<li><b>${esc(r.code)}</b> ${esc(r.message)}</li>`)
    .join('')
  return [
    `<p><b>${p.accepting ? 'taking work' : 'paused'}</b>${p.explain ? ` — ${esc(p.explain.state)}` : ''}, asks ${esc(formatPrice(BigInt(p.pricePerUnit)))}</p>`,
    `<p>${t.running} running, ${t.completed} completed, ${t.failed} failed, ${t.refused} refused</p>`,
    `<p class="reputation"><b>Reputation as others see it:</b> ${esc(seenByOthersText(p.seenByOthers))}</p>`,
    workHtml(p.work ?? []),
    eps && `<h3>Execution providers</h3><ul>${eps}</ul>`,
    reasons && `<h3>Why</h3><ul>${reasons}</ul>`,
  ].join('')
}

/** A finished job's output files (object URLs made by the page), or why they could not be fetched. */
export type JobFiles = (jobId: string) => { name: string; href: string; label: string }[] | string | undefined

function filesHtml(j: JobView, files?: JobFiles): string {
  if (j.status !== 'done' || !files) return ''
  const f = files(j.jobId)
  if (f === undefined) return `<br><button type="button" data-results="${esc(j.jobId)}">Get results</button>`
  if (typeof f === 'string') return `<br><span class="bad">${esc(f)}</span>`
  return f.map((o) => `<br><a href="${esc(o.href)}" download="${esc(o.name)}">${esc(o.label)}</a>`).join('')
}

/** The job's story, as `mutirao job explain` tells it, folded under "Why". */
function whyHtml(j: JobView, rate?: FiatRate): string {
  const reasons = explainJob(j, j.escrow, rate).reasons.map(
    (r) => `<li><b>${esc(r.code)}</b> ${esc(r.message)}</li>`,
  )
  return `<details class="why"><summary>Why</summary><ul>${reasons.join('')}</ul></details>`
}

export function jobsHtml(jobs: JobView[], files?: JobFiles, rate?: FiatRate): string {
  const fiat = (units: string) => (rate ? ` (${esc(fiatAmount(units, rate))})` : '')
  if (!jobs.length) return '<p class="muted">No jobs yet: <code>mutirao submit job.json</code>.</p>'
  const rows = jobs.map((j) => {
    const who = j.providers
      .map(
        (p) => `${esc(short(p.provider))} ${p.samples} on ${esc((p.executionProviders ?? ['?']).join('+'))}`,
      )
      .join('<br>')
    const e = j.escrow
    const money = e
      ? `cost ${esc(mutAmount(e.cost ?? '0'))} MUT${fiat(e.cost ?? '0')}, ${e.settlement?.status === 'settled' ? `refunded ${esc(mutAmount(e.settlement.refund ?? '0'))} MUT${fiat(e.settlement.refund ?? '0')}` : `refundable ${esc(mutAmount(e.refundable ?? '0'))} MUT${fiat(e.refundable ?? '0')}`}${e.settlement?.status === 'open' ? `<br><span class="bad">escrow open: ${esc(e.settlement.reason)}</span>` : ''}`
      : 'unpaid'
    return `<tr><td>${j.name ? `${esc(j.name)}<br>` : ''}<code>${esc(j.jobId)}</code><br><span class="muted">${esc(j.kind ?? 'onnx-inference')}</span></td><td class="${j.status === 'failed' ? 'bad' : j.status === 'done' ? 'ok' : ''}">${esc(j.status)}<br><progress max="${j.samplesTotal}" value="${j.samplesDone}" aria-label="samples done"></progress> ${j.samplesDone}/${j.samplesTotal}${j.error ? `<br>${esc(j.error)}` : ''}${filesHtml(j, files)}${whyHtml(j, rate)}</td><td>${shardMapSvg(j.shardMap)}${who || '—'}</td><td>${money}</td></tr>`
  })
  return `<table><thead><tr><th>Job</th><th>Progress</th><th>Who ran it</th><th>Money</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

export function networkHtml(n: NodeView, picture = ''): string {
  const known = n.knownProviders ?? []
  if (!known.length) return `${picture}<p class="muted">No provider adverts seen yet.</p>`
  const rows = known.map(
    (k) =>
      `<tr><td>${esc(short(k.peerId))}</td><td>${esc(k.executionProvider)}</td><td>${k.threads}</td><td>${esc(formatPrice(BigInt(k.pricePerUnit)))}</td><td>${k.accepting ? 'accepting' : 'paused'}</td></tr>`,
  )
  return `${picture}<table><thead><tr><th>Provider</th><th>Runs on</th><th>Threads</th><th>Ask</th><th>State</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}
