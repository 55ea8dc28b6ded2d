/**
 * The federated-training view (pure: tested in Node): each run of this node — as coordinator, the accuracy
 * curve over the rounds (an SVG drawn from the numbers, no script), the holders' contribution shares and the
 * payouts; as holder, its updates, privacy spent and payment. Everything from the API is escaped.
 */

import type { LineageCheck } from '../fl/lineage/view.js'
import { mutAmount } from '../market/price.js'
import { esc } from './render.js'
import { lineageHtml } from './render-lineage.js'

/** A lineage checked from the page, or why it could not be. */
export type LineageOutcome = LineageCheck | { error: string }

/** What the view reads of `GET /v1/fl/runs` (src/fl/network/service.ts FlRunView). */
export interface FlRunRow {
  id: string
  role: 'coordinator' | 'holder'
  job: string
  status: string
  error?: string
  events: ({ event: string } & Record<string, unknown>)[]
  curve?: { round: number; testAccuracy?: number; meanLoss: number }[]
}

const short = (id: string) => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id)
const pct = (x: number) => `${(100 * x).toFixed(1)} %`

/** An accuracy curve as an SVG polyline (values in [0, 1]), with its numbers in the label for screen readers. */
export function curveSvg(points: { round: number; testAccuracy?: number }[], w = 320, h = 120): string {
  const pts = points.filter((p) => p.testAccuracy !== undefined)
  if (pts.length === 0) return '<p class="muted">No accuracy yet: the owner gave no test rows (--test).</p>'
  const last = pts.at(-1)!.round
  const x = (r: number) => (last <= 1 ? w / 2 : ((r - 1) / (last - 1)) * (w - 20) + 10)
  const y = (a: number) => h - 10 - a * (h - 20)
  const line = pts.map((p) => `${x(p.round).toFixed(1)},${y(p.testAccuracy!).toFixed(1)}`).join(' ')
  const label = `test accuracy by round: ${pts.map((p) => `round ${p.round} ${pct(p.testAccuracy!)}`).join(', ')}`
  return `<svg class="curve" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><line x1="10" y1="${y(1)}" x2="${w - 10}" y2="${y(1)}" stroke="#ccc"/><line x1="10" y1="${y(0.5)}" x2="${w - 10}" y2="${y(0.5)}" stroke="#eee"/><polyline points="${line}" fill="none" stroke="#0b4f3c" stroke-width="2"/><text x="${w - 40}" y="${y(1) + 12}" font-size="10" fill="#555">100 %</text><text x="${w - 40}" y="${y(0.5) + 12}" font-size="10" fill="#555">50 %</text></svg>`
}

function coordinatorHtml(r: FlRunRow, check?: LineageOutcome): string {
  const curve = r.curve ?? []
  const lastRound = r.events.findLast((e) => e.event === 'round') as
    | { shares?: Record<string, number> }
    | undefined
  const shares = Object.entries(lastRound?.shares ?? {})
    .map(([p, s]) => `<li>${esc(short(p))}: ${esc(pct(s))}</li>`)
    .join('')
  const payouts = r.events.findLast((e) => e.event === 'payouts') as
    | { payouts?: Record<string, string> }
    | undefined
  const paid = Object.entries(payouts?.payouts ?? {})
    .map(([p, a]) => `<li>${esc(short(p))}: ${esc(mutAmount(a))} MUT</li>`)
    .join('')
  const done = r.events.findLast((e) => e.event === 'done') as
    | { modelHash?: string; root?: string }
    | undefined
  const acc = curve.at(-1)?.testAccuracy
  return [
    `<h3>${esc(r.job)} <span class="${r.status === 'failed' ? 'bad' : r.status === 'done' ? 'ok' : ''}">${esc(r.status)}</span></h3>`,
    `<p>coordinated here: ${curve.length} round(s)${acc === undefined ? '' : `, test accuracy ${esc(pct(acc))}`}${r.error ? `; <span class="bad">${esc(r.error)}</span>` : ''}</p>`,
    curveSvg(curve),
    shares && `<h4>Contribution shares (last round)</h4><ul>${shares}</ul>`,
    paid && `<h4>Payouts of the data budget</h4><ul>${paid}</ul>`,
    done?.root
      ? `<p>model <code>${esc(short(String(done.modelHash)))}</code>, lineage root <code>${esc(short(String(done.root)))}</code> (<code>mutirao fl lineage</code> verifies it)</p>`
      : '',
    `<button type="button" data-lineage="${esc(r.id)}">Verify lineage</button>`,
    check
      ? 'error' in check
        ? `<p class="bad">lineage not checked: ${esc(check.error)}</p>`
        : lineageHtml(check, payouts?.payouts)
      : '',
  ].join('')
}

function holderHtml(r: FlRunRow): string {
  const sent = r.events.filter((e) => e.event === 'update-sent') as { epsilon?: number; secure?: boolean }[]
  const eps = sent.findLast((e) => e.epsilon !== undefined)?.epsilon
  const paid = r.events.findLast((e) => e.event === 'paid') as { amount?: string } | undefined
  return `<h3>${esc(r.job)} <span class="${r.status === 'failed' ? 'bad' : r.status === 'done' ? 'ok' : ''}">${esc(r.status)}</span></h3><p>held data here: ${sent.length} update(s) sent${sent.some((e) => e.secure) ? ' (masked: secure aggregation)' : ''}${eps === undefined ? '' : `, privacy spent ε ${esc(eps.toFixed(3))}`}${paid ? `, paid ${esc(mutAmount(String(paid.amount)))} MUT` : ''}${r.error ? `; <span class="bad">${esc(r.error)}</span>` : ''}; the rows never left this machine</p>`
}

export function flHtml(runs: FlRunRow[], checks: ReadonlyMap<string, LineageOutcome> = new Map()): string {
  if (!runs.length)
    return '<p class="muted">No federated training on this node: <code>mutirao fl start</code> or <code>mutirao fl join</code> with this node running.</p>'
  return runs
    .map(
      (r) =>
        `<article>${r.role === 'coordinator' ? coordinatorHtml(r, checks.get(r.id)) : holderHtml(r)}</article>`,
    )
    .join('')
}
