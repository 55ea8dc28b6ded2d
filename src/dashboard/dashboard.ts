import { type FiatRate, parseFiatRate } from '../market/fiat.js'
import { dashboardApi } from './api.js'
import { ResultFiles } from './downloads.js'
import { ledgerExplorer } from './explorer.js'
import { followEvents } from './live.js'
import { policyForm } from './policy-form.js'
import { type JobView, jobsHtml, type NodeView, networkHtml, nodeHtml, providerHtml } from './render.js'
import { type FlRunRow, flHtml, type LineageOutcome } from './render-fl.js'
import { workPictureSvg } from './render-picture.js'
import { stakeForm } from './stake-form.js'
import { submitForm } from './submit-form.js'

/**
 * The node's dashboard: reads the API with the token handed over in the URL fragment (`mutirao ui`), kept in
 * this tab's sessionStorage and removed from the address bar; live over server-sent events (`/v1/events`).
 */
const TOKEN_KEY = 'mutirao.apiToken'
const fragment = new URLSearchParams(location.hash.slice(1))
if (fragment.get('token')) {
  sessionStorage.setItem(TOKEN_KEY, fragment.get('token')!)
  history.replaceState(null, '', location.pathname)
}
const api = dashboardApi(sessionStorage.getItem(TOKEN_KEY))
const $ = (id: string) => document.getElementById(id)!
const files = new ResultFiles(api)
const policy = policyForm(api, $('policy') as HTMLFormElement, $('policy-msg'))
type Snapshot = { node: NodeView; jobs: JobView[]; fl?: FlRunRow[] }
let last: Snapshot | undefined
/** Lineages checked from the FL view (`GET /v1/fl/runs/:id/lineage`), kept across live updates. */
const lineages = new Map<string, LineageOutcome>()
const RATE_KEY = 'mutirao.fiatRate'
/** What 1 MUT is worth to the user (their figure, kept in this browser): money also shows in their currency. */
let rate: FiatRate | undefined
const rateForm = $('rate') as HTMLFormElement
const rateField = (name: string) => rateForm.elements.namedItem(name) as HTMLInputElement
function setRate(perMut: string, currency: string) {
  try {
    rate = perMut.trim() ? parseFiatRate(perMut.trim(), currency.trim() || 'USD') : undefined
    localStorage.setItem(RATE_KEY, JSON.stringify({ perMut, currency }))
    rateField('perMut').setCustomValidity('')
  } catch (e) {
    rate = undefined
    rateField('perMut').setCustomValidity((e as Error).message)
  }
  if (last) show(last)
}

function show(s: Snapshot) {
  last = s
  $('node').innerHTML = nodeHtml(s.node)
  $('provider').innerHTML = providerHtml(s.node)
  $('jobs').innerHTML = jobsHtml(s.jobs, (id) => files.get(id), rate)
  $('network').innerHTML = networkHtml(s.node, workPictureSvg(s.node, s.jobs))
  $('fl').innerHTML = flHtml(s.fl ?? [], lineages)
  if (s.node.provider) policy.show()
  $('conn').textContent = `live, updated ${new Date().toLocaleTimeString()}`
  document.body.dataset.ready = '1'
}

$('jobs').addEventListener('click', async (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-results]')
  if (!button) return
  button.disabled = true
  await files.fetch(button.dataset.results!)
  if (last) show(last)
})
$('fl').addEventListener('click', async (e) => {
  const button = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-lineage]')
  if (!button) return
  const id = button.dataset.lineage!
  button.disabled = true
  try {
    lineages.set(id, await api.get(`/v1/fl/runs/${encodeURIComponent(id)}/lineage`))
  } catch (err) {
    lineages.set(id, { error: (err as Error).message })
  }
  if (last) show(last)
})
const saved = JSON.parse(localStorage.getItem(RATE_KEY) ?? '{}') as { perMut?: string; currency?: string }
rateField('perMut').value = saved.perMut ?? ''
rateField('currency').value = saved.currency ?? 'USD'
setRate(rateField('perMut').value, rateField('currency').value)
rateForm.addEventListener('input', () => setRate(rateField('perMut').value, rateField('currency').value))
rateForm.addEventListener('submit', (e) => e.preventDefault())
followEvents(api, show, (e) => {
  $('conn').textContent = `not live: ${e.message}; retrying`
})
submitForm(api, $('submit') as HTMLFormElement, $('submit-msg'))
const explorer = ledgerExplorer(api, $('ledger'), $('earnings'))
stakeForm(api, $('stake') as HTMLFormElement, $('stake-msg'), explorer)
