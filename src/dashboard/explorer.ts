import type { ActivityInfo, ContributionInfo, ReceiptProofInfo, WalletInfo } from '../sdk/ledger-types.js'
import type { DashboardApi } from './api.js'
import { activityHtml, earningsSvg } from './render-activity.js'
import { contributionsHtml, type ProofOutcome, receiptsHtml, walletHtml } from './render-ledger.js'

/**
 * The ledger explorer: the node's account, the chain's activity (escrow jobs, payments, stakes, slashes,
 * disputes: everyone's, or this node's), the contributions recorded on the chain and (a provider) its task
 * receipts, each of whose Merkle proofs is checked against the chain with one click; and, in `earnings`, what
 * the chain paid this node over time. Read every 10 s (each read asks the chain), and at once after an action.
 */
export function ledgerExplorer(
  api: DashboardApi,
  root: HTMLElement,
  earnings: HTMLElement,
): () => Promise<void> {
  const outcomes = new Map<string, ProofOutcome>()
  const part = (id: string) => root.querySelector<HTMLElement>(`#${id}`)!
  const refresh = async () => {
    try {
      const onlyMine = root.querySelector<HTMLInputElement>('#activity-mine')?.checked ?? false
      const [wallet, contributions, receipts, activity, mine] = await Promise.all([
        api.get<WalletInfo>('/v1/ledger/wallet'),
        api.get<ContributionInfo[]>('/v1/ledger/contributions'),
        api.get<{ escrowJob: string; taskId: string; units: number }[]>('/v1/ledger/receipts?limit=10'),
        api.get<ActivityInfo[]>(`/v1/ledger/activity?limit=50${onlyMine ? '&account=me' : ''}`),
        api.get<ActivityInfo[]>('/v1/ledger/activity?account=me&limit=1000'),
      ])
      part('wallet').innerHTML = walletHtml(wallet)
      part('activity').innerHTML = activityHtml(activity, wallet.address)
      earnings.innerHTML = earningsSvg(mine, wallet.address)
      part('ledger-msg').textContent = ''
      part('contributions').innerHTML = contributionsHtml(contributions)
      part('receipts').innerHTML = receiptsHtml(receipts, outcomes)
    } catch (e) {
      part('ledger-msg').textContent = `ledger: ${(e as Error).message}`
    }
  }
  root.addEventListener('click', async (e) => {
    const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-prove]')
    if (!button) return
    const taskId = button.dataset.prove!
    button.disabled = true
    try {
      outcomes.set(taskId, await api.get<ReceiptProofInfo>(`/v1/ledger/prove/${encodeURIComponent(taskId)}`))
    } catch (err) {
      outcomes.set(taskId, { error: (err as Error).message })
    }
    await refresh()
  })
  root.querySelector('#activity-mine')?.addEventListener('change', () => void refresh())
  void refresh()
  setInterval(() => void refresh(), 10_000)
  return refresh
}
