import type { LivePolicyView } from '../provider/live-policy.js'
import type { DashboardApi } from './api.js'

/**
 * The provider's policy form: the ask, the share of the cores, the owner's pause and idle-only mode, filled
 * from the node and saved with `PUT /v1/provider/policy` (applied at once and kept in the node's config).
 * Stays hidden until `show()` (called once the node says it provides).
 */
export function policyForm(api: DashboardApi, form: HTMLFormElement, msg: HTMLElement): { show(): void } {
  const el = (name: string) => form.elements.namedItem(name) as HTMLInputElement
  const fill = (p: LivePolicyView) => {
    el('price').value = p.price
    el('cpuShare').value = String(p.cpuShare)
    el('paused').checked = p.paused
    el('idleOnly').checked = p.idleOnly
  }
  const say = (text: string, bad = false) => {
    msg.textContent = text
    msg.className = bad ? 'bad' : ''
  }
  let shown = false
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    try {
      const p = await api.send<LivePolicyView>('PUT', '/v1/provider/policy', {
        price: el('price').value.trim(),
        cpuShare: Number(el('cpuShare').value),
        paused: el('paused').checked,
        idleOnly: el('idleOnly').checked,
      })
      fill(p)
      say(
        `saved: asks ${p.price} MUT per 1,000 units, ${p.paused ? 'paused' : 'sharing'}${p.idleOnly ? ' when idle' : ''}, ${p.threads} task(s) at once${p.pending ? `; ${p.pending}` : ''}`,
      )
    } catch (err) {
      say(`not saved: ${(err as Error).message}`, true)
    }
  })
  return {
    show() {
      if (shown) return
      shown = true
      api.get<LivePolicyView>('/v1/provider/policy').then(
        (p) => {
          fill(p)
          form.hidden = false
        },
        (e: Error) => say(`policy not read: ${e.message}`, true),
      )
    },
  }
}
