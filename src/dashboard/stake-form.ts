import { mutAmount, parseMut } from '../market/price.js'
import type { DashboardApi } from './api.js'

/** What the node answers to each stake action (amounts in base units). */
type StakeAnswer = {
  txHash: string
  stake?: string
  registered?: boolean
  unbonding?: { amount: string; unlockAt: string }
  balance?: string
}

/** The sentence shown after an action went through. */
export function stakeSaid(action: string, amount: string, a: StakeAnswer): string {
  const tx = `tx ${a.txHash.slice(0, 10)}…`
  if (action === 'stake')
    return `staked ${amount} MUT${a.registered ? ' (this node registered its peer id first)' : ''}: stake now ${mutAmount(a.stake ?? '0')} MUT, ${tx}`
  if (action === 'unstake')
    return `${mutAmount(a.unbonding?.amount ?? '0')} MUT unbonding, withdrawable after ${new Date(Number(a.unbonding?.unlockAt ?? 0) * 1000).toISOString()}; stake now ${mutAmount(a.stake ?? '0')} MUT, ${tx}`
  return `withdrew the unbonded stake: balance now ${mutAmount(a.balance ?? '0')} MUT, ${tx}`
}

/**
 * Stake, ask to unstake, or withdraw unbonded stake from the explorer (`POST /v1/ledger/stake|unstake|withdraw`):
 * the amount is typed in MUT; each action says what the chain did, or why the contract refused it; `after` then
 * reads the wallet and the activity again.
 */
export function stakeForm(
  api: DashboardApi,
  form: HTMLFormElement,
  msg: HTMLElement,
  after: () => Promise<void>,
): void {
  const amountField = form.elements.namedItem('amount') as HTMLInputElement
  const say = (text: string, bad = false) => {
    msg.textContent = text
    msg.className = bad ? 'bad' : 'ok'
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    const action = ((e as SubmitEvent).submitter as HTMLButtonElement | null)?.value ?? 'stake'
    const buttons = [...form.querySelectorAll('button')]
    try {
      const typed = amountField.value.trim()
      const body = action === 'withdraw' ? {} : { amount: parseMut(typed, 'amount').toString() }
      for (const b of buttons) b.disabled = true
      say(`${action}: waiting for the chain…`)
      say(stakeSaid(action, typed, await api.send<StakeAnswer>('POST', `/v1/ledger/${action}`, body)))
    } catch (err) {
      say(`${action} refused: ${(err as Error).message.replace(/\s*\n+\s*/g, '. ')}`, true)
    } finally {
      for (const b of buttons) b.disabled = false
    }
    await after()
  })
}
