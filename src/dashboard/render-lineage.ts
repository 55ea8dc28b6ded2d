/**
 * A federated model's lineage, verified (pure: tested in Node): the verdict of `verifyLineage` in words, the
 * chain of records as a picture — one lane per holder, a dot where it took part in a round, each round linked
 * to the one before and the last to the model — and each holder's rounds, samples, last share, privacy spent
 * and payout. Everything from the API is escaped.
 */
import type { LineageCheck } from '../fl/lineage/view.js'
import { mutAmount } from '../market/price.js'
import { esc } from './escape.js'

const short = (h: string) => (h.length > 16 ? `${h.slice(0, 8)}…${h.slice(-4)}` : h)
const PALETTE = ['#0b4f3c', '#2f6fb0', '#b0452f', '#7a4fb0', '#3f8f2f', '#b07a1f', '#1f8f8f', '#8f1f5f']
/** Rounds drawn at most (the rest are summed up in words). */
const MAX_DRAWN = 120

function verdictHtml(c: LineageCheck): string {
  const r = c.report
  if (!r.ok) return `<p class="bad"><b>NOT verified</b>: ${r.problems.map(esc).join('; ')}</p>`
  const anchor =
    r.anchored === true
      ? 'its root is the one anchored on the chain'
      : 'not compared with a chain anchor (this node has no ledger)'
  return `<p class="ok"><b>verified</b>: ${r.rounds} round(s), every record's hash, link and holder signature checks out; root <code>${esc(short(r.root))}</code>; ${anchor}</p>`
}

/** The lineage as lanes of holders over rounds, rounds chained to the model. */
export function lineageSvg(c: LineageCheck): string {
  const l = c.lineage
  const rounds = l.rounds.slice(0, MAX_DRAWN)
  const holders = [...new Set(rounds.flatMap((r) => r.participants.map((p) => p.peer)))]
  const lane = 18
  const left = 90
  const col = 36
  const chainY = holders.length * lane + 24
  const w = left + (rounds.length + 1) * col + 40
  const h = chainY + 30
  const x = (k: number) => left + (k + 1) * col
  const lanes = holders
    .map(
      (p, i) =>
        `<text x="4" y="${i * lane + 16}" font-size="9" fill="#333">${esc(short(p))}</text><line x1="${left}" y1="${i * lane + 12}" x2="${w - 30}" y2="${i * lane + 12}" stroke="#eee"/>`,
    )
    .join('')
  const dots = rounds
    .map((r, k) =>
      r.participants
        .map((p) => {
          const i = holders.indexOf(p.peer)
          const y = i * lane + 12
          return `<line x1="${x(k)}" y1="${y}" x2="${x(k)}" y2="${chainY}" stroke="${PALETTE[i % PALETTE.length]}" stroke-opacity="0.35"/><circle cx="${x(k)}" cy="${y}" r="4" fill="${PALETTE[i % PALETTE.length]}"/>`
        })
        .join(''),
    )
    .join('')
  const chain = `<line x1="${left}" y1="${chainY}" x2="${w - 30}" y2="${chainY}" stroke="#555" stroke-width="2"/><rect x="${left - 8}" y="${chainY - 8}" width="16" height="16" fill="#e0a000"/><text x="${left - 8}" y="${chainY + 22}" font-size="9" fill="#333">genesis</text>${rounds.map((r, k) => `<circle cx="${x(k)}" cy="${chainY}" r="6" fill="#fff" stroke="#555" stroke-width="2"/><text x="${x(k)}" y="${chainY + 22}" font-size="9" text-anchor="middle" fill="#333">${r.round}</text>`).join('')}<rect x="${w - 38}" y="${chainY - 8}" width="16" height="16" fill="#0b4f3c"/><text x="${w - 30}" y="${chainY + 22}" font-size="9" text-anchor="middle" fill="#333">model</text>`
  const label = `lineage of job ${l.job}: genesis, ${l.rounds.length} round(s) with ${holders.length} holder(s), then the model ${l.modelHash ? short(l.modelHash) : '(not final yet)'}; ${rounds.map((r) => `round ${r.round}: ${r.participants.map((p) => short(p.peer)).join(', ')}`).join('; ')}`
  return `<svg class="lineage" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}">${lanes}${dots}${chain}</svg>${l.rounds.length > MAX_DRAWN ? `<p class="muted">the first ${MAX_DRAWN} of ${l.rounds.length} rounds drawn</p>` : ''}`
}

/** Each holder's part: rounds joined, samples, share of the last round, privacy spent, payout. */
export function holdersHtml(c: LineageCheck, payouts: Record<string, string> = {}): string {
  const last = c.lineage.rounds.at(-1)
  const by = new Map<string, { rounds: number; samples: number; epsilon?: number }>()
  for (const r of c.lineage.rounds)
    for (const p of r.participants) {
      const e = by.get(p.peer) ?? { rounds: 0, samples: 0 }
      e.rounds++
      e.samples = p.numSamples
      if (p.epsilon !== undefined) e.epsilon = Math.max(e.epsilon ?? 0, p.epsilon)
      by.set(p.peer, e)
    }
  if (!by.size) return ''
  const rows = [...by].map(
    ([peer, e]) =>
      `<tr><td><code>${esc(short(peer))}</code></td><td>${e.rounds}</td><td>${e.samples}</td><td>${last?.shares[peer] === undefined ? '—' : `${(100 * last.shares[peer]).toFixed(1)} %`}</td><td>${e.epsilon === undefined ? 'no DP' : `ε ${esc(e.epsilon.toFixed(3))}`}</td><td>${payouts[peer] ? `${esc(mutAmount(payouts[peer]))} MUT` : '—'}</td></tr>`,
  )
  return `<table><caption>Holders</caption><thead><tr><th>Holder</th><th>Rounds</th><th>Rows</th><th>Share (last round)</th><th>Privacy spent</th><th>Paid</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

/** The verdict, the picture and the holders. */
export function lineageHtml(c: LineageCheck, payouts?: Record<string, string>): string {
  return `<div class="lineage-check">${verdictHtml(c)}${lineageSvg(c)}${holdersHtml(c, payouts)}</div>`
}
