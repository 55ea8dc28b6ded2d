import { type JobView, jobsHtml, type NodeView, networkHtml, nodeHtml, providerHtml } from './render.js'

/**
 * The node's dashboard: reads the API with the token handed over in the URL fragment (`mutirao ui`), kept in
 * this tab's sessionStorage and removed from the address bar; refreshes every 2 s.
 */
const TOKEN_KEY = 'mutirao.apiToken'
const fragment = new URLSearchParams(location.hash.slice(1))
if (fragment.get('token')) {
  sessionStorage.setItem(TOKEN_KEY, fragment.get('token')!)
  history.replaceState(null, '', location.pathname)
}
const token = sessionStorage.getItem(TOKEN_KEY)
const $ = (id: string) => document.getElementById(id)!

async function api<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${token}` } })
  if (!res.ok)
    throw new Error(
      res.status === 401
        ? 'the API token is missing or wrong: open the URL `mutirao ui --print` gives'
        : `${path}: HTTP ${res.status}`,
    )
  return (await res.json()) as T
}

async function refresh() {
  try {
    const [node, jobs] = await Promise.all([api<NodeView>('/v1/node'), api<JobView[]>('/v1/jobs')])
    $('node').innerHTML = nodeHtml(node)
    $('provider').innerHTML = providerHtml(node)
    $('jobs').innerHTML = jobsHtml(jobs)
    $('network').innerHTML = networkHtml(node)
    $('conn').textContent = `updated ${new Date().toLocaleTimeString()}`
    document.body.dataset.ready = '1'
  } catch (e) {
    $('conn').textContent = (e as Error).message
  }
}

void refresh()
setInterval(() => void refresh(), 2000)
