/**
 * The ledger explorer's views as HTML strings (pure: tested in Node): the node's account, the contributions
 * recorded on the chain, and the provider's task receipts with the result of checking each one's Merkle proof
 * against the chain. Values from the API are escaped; amounts are shown in MUT.
 */
import { mutAmount } from '../market/price.js'
import type { ContributionInfo, ReceiptProofInfo, WalletInfo } from '../sdk/ledger-types.js'
import { esc } from './render.js'

const short = (h: string) => (h.length > 18 ? `${h.slice(0, 10)}…${h.slice(-6)}` : h)

export function walletHtml(w: WalletInfo): string {
  const pending = w.pendingVouchers.reduce((a, v) => a + BigInt(v.unredeemed), 0n)
  return [
    `<dt>Account</dt><dd>${esc(w.address)} on chain ${esc(w.chain.chainId)}${w.chain.embedded ? ' (embedded, local)' : ''}</dd>`,
    `<dt>Balance</dt><dd>${esc(mutAmount(w.balance))} MUT</dd>`,
    `<dt>Stake</dt><dd>${esc(mutAmount(w.stake))} MUT${BigInt(w.unbonding.amount) > 0n ? `, ${esc(mutAmount(w.unbonding.amount))} MUT unbonding until ${esc(new Date(Number(w.unbonding.unlockAt) * 1000).toISOString().slice(0, 16).replace('T', ' '))} UTC` : ''}${w.registeredPeerId ? '' : ' (peer id not registered: staking registers it)'}</dd>`,
    `<dt>Vouchers held</dt><dd>${w.pendingVouchers.length ? `${w.pendingVouchers.length}, ${esc(mutAmount(pending))} MUT not redeemed yet` : 'none waiting to be redeemed'}</dd>`,
  ].join('')
}

export function contributionsHtml(list: ContributionInfo[]): string {
  if (!list.length) return '<p class="muted">No contribution recorded on the chain yet.</p>'
  const rows = [...list]
    .reverse()
    .slice(0, 20)
    .map(
      (c) =>
        `<tr><td>${esc(c.jobId)}</td><td>${esc(short(c.provider))}</td><td>${esc(c.units)}</td><td>${esc(mutAmount(c.amount))} MUT</td><td><code>${esc(short(c.receiptsRoot))}</code></td><td>${esc(c.blockNumber)}</td></tr>`,
    )
  return `<table><caption>Latest redemptions (ContributionRecorded)</caption><thead><tr><th>Escrow job</th><th>Provider</th><th>Units</th><th>Paid</th><th>Receipts root</th><th>Block</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
}

/** The outcome of checking one receipt: its proof, or why it could not be checked. */
export type ProofOutcome = ReceiptProofInfo | { error: string }

function outcomeHtml(o: ProofOutcome | undefined): string {
  if (!o) return ''
  if ('error' in o) return `<span class="bad">${esc(o.error)}</span>`
  const ok = o.verifiedOnChain && o.verifiedLocally && o.rootRecordedOnChain
  return `<span class="${ok ? 'ok' : 'bad'}">${ok ? 'verified on chain' : 'NOT verified'}</span>: proof of ${o.proof.length} hashes to root <code>${esc(short(o.root))}</code> ${o.rootRecordedOnChain ? 'recorded by' : 'not recorded by'} tx <code>${esc(short(o.redemptionTx))}</code>; escrow contract says ${o.verifiedOnChain ? 'valid' : 'invalid'}`
}

export function receiptsHtml(
  rows: { escrowJob: string; taskId: string; units: number }[],
  outcomes: ReadonlyMap<string, ProofOutcome>,
): string {
  if (!rows.length) return '<p class="muted">No task receipt covered by a redeemed voucher yet.</p>'
  const body = rows.map(
    (r) =>
      `<tr><td><code>${esc(short(r.taskId))}</code></td><td>${esc(r.escrowJob)}</td><td>${esc(r.units)}</td><td><button type="button" data-prove="${esc(r.taskId)}">Verify proof</button> ${outcomeHtml(outcomes.get(r.taskId))}</td></tr>`,
  )
  return `<table><caption>Task receipts of this provider</caption><thead><tr><th>Task</th><th>Escrow job</th><th>Units</th><th>Merkle proof</th></tr></thead><tbody>${body.join('')}</tbody></table>`
}
