/**
 * The chain's activity as a table, and a provider's earnings over time as a chart (pure: tested in Node): escrow
 * jobs opened, settled and reclaimed, payments to providers, stakes, slashes and disputes, each with its block
 * time and transaction. Everything from the API is escaped; amounts are shown in MUT.
 */
import { mutAmount } from '../market/price.js'
import { ACTIVITY_WORDS, activityDetails, activitySubject, utc as when } from '../sdk/activity-words.js'
import type { ActivityInfo } from '../sdk/ledger-types.js'
import { esc } from './render.js'

const short = (h: string) => (h.length > 18 ? `${h.slice(0, 8)}…${h.slice(-4)}` : h)

/** The activity table: this node named as such, slashes and accusations marked. */
export function activityHtml(list: ActivityInfo[], me: string): string {
  if (!list.length) return '<p class="muted">Nothing on the chain yet.</p>'
  const who = (a: string) => (a.toLowerCase() === me.toLowerCase() ? '<b>this node</b>' : esc(short(a)))
  const rows = list.map((e) => {
    const subject = esc(activitySubject(e))
    const amount = e.amount !== undefined ? `${esc(mutAmount(e.amount))} MUT` : ''
    const extra = [...activityDetails(e).map(esc), e.counterparty ? `by ${who(e.counterparty)}` : '']
      .filter(Boolean)
      .join(', ')
    return `<tr class="${e.kind === 'slashed' || e.kind === 'accused' ? 'bad' : ''}"><td>${esc(when(e.time))}</td><td>${who(e.account)} ${esc(ACTIVITY_WORDS[e.kind] ?? e.kind)}${extra ? ` <span class="muted">(${extra})</span>` : ''}</td><td>${amount}</td><td>${subject}</td><td><code>${esc(short(e.txHash))}</code> #${esc(e.blockNumber)}</td></tr>`
  })
  return `<table><caption>On-chain activity, newest first</caption><thead><tr><th>When (UTC)</th><th>What</th><th>Amount</th><th>Of</th><th>Transaction</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

/** Cumulative MUT paid to `me` by redeemed vouchers, over time: points oldest first. */
export function earnings(list: ActivityInfo[], me: string): { time: number; total: bigint }[] {
  let total = 0n
  return list
    .filter((e) => e.kind === 'contribution' && e.account.toLowerCase() === me.toLowerCase())
    .sort((a, b) => a.time - b.time || Number(BigInt(a.blockNumber) - BigInt(b.blockNumber)))
    .map((e) => {
      total += BigInt(e.amount ?? '0')
      return { time: e.time, total }
    })
}

/** The earnings curve as an SVG step line, with the totals in its label for screen readers. */
export function earningsSvg(list: ActivityInfo[], me: string, w = 320, h = 120): string {
  const pts = earnings(list, me)
  if (!pts.length)
    return '<p class="muted">No payment to this node on the chain yet: vouchers pay when redeemed.</p>'
  const t0 = pts[0].time
  const span = Math.max(1, pts.at(-1)!.time - t0)
  const top = pts.at(-1)!.total
  const x = (t: number) => (pts.length === 1 ? w / 2 : 10 + ((t - t0) / span) * (w - 20))
  const y = (v: bigint) => h - 14 - (top > 0n ? Number((v * 1000n) / top) / 1000 : 0) * (h - 28)
  let path = `M${x(t0).toFixed(1)},${y(0n).toFixed(1)}`
  for (const p of pts) path += ` H${x(p.time).toFixed(1)} V${y(p.total).toFixed(1)}`
  const label = `earned ${mutAmount(top)} MUT in ${pts.length} payment(s) between ${when(t0)} and ${when(pts.at(-1)!.time)} UTC`
  return `<svg class="curve earnings" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><line x1="10" y1="${y(0n)}" x2="${w - 10}" y2="${y(0n)}" stroke="#ccc"/><path d="${path}" fill="none" stroke="#0b4f3c" stroke-width="2"/><text x="12" y="12" font-size="10" fill="#555">${esc(mutAmount(top))} MUT</text><text x="12" y="${h - 2}" font-size="9" fill="#555">${esc(when(t0).slice(5, 16))}</text><text x="${w - 12}" y="${h - 2}" font-size="9" fill="#555" text-anchor="end">${esc(when(pts.at(-1)!.time).slice(5, 16))}</text></svg>`
}
