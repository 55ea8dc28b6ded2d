/**
 * "Who computes for whom", as a picture (pure: tested in Node): this node in the middle, the providers it knows
 * or has used around it, an edge to each provider that computed for this node's recent jobs — thicker for more
 * samples, green while a job runs — and the text of the same facts for screen readers.
 */
import type { JobView, NodeView } from './render.js'
import { esc } from './render.js'

const short = (id: string) => `${id.slice(0, 6)}…${id.slice(-4)}`

export function workPictureSvg(node: NodeView, jobs: JobView[], size = 360): string {
  const worked = new Map<string, { samples: number; running: boolean }>()
  for (const j of jobs.slice(0, 20))
    for (const p of j.providers) {
      const w = worked.get(p.provider) ?? { samples: 0, running: false }
      w.samples += p.samples
      w.running ||= j.status === 'running'
      worked.set(p.provider, w)
    }
  const peers = [...new Set([...worked.keys(), ...(node.knownProviders ?? []).map((k) => k.peerId)])]
    .filter((p) => p !== node.peerId)
    .slice(0, 24)
  if (!peers.length) return ''
  const c = size / 2
  const r = size / 2 - 40
  const most = Math.max(1, ...[...worked.values()].map((w) => w.samples))
  const at = (i: number) => {
    const a = (2 * Math.PI * i) / peers.length - Math.PI / 2
    return { x: c + r * Math.cos(a), y: c + r * Math.sin(a) }
  }
  const edges = peers
    .map((p, i) => {
      const w = worked.get(p)
      if (!w) return ''
      const { x, y } = at(i)
      const width = 1 + (5 * w.samples) / most
      return `<line x1="${c}" y1="${c}" x2="${x.toFixed(1)}" y2="${y.toFixed(1)}" stroke="${w.running ? '#0b6b2f' : '#7a9f92'}" stroke-width="${width.toFixed(1)}"/>`
    })
    .join('')
  const dots = peers
    .map((p, i) => {
      const { x, y } = at(i)
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="6" fill="${worked.has(p) ? '#0b4f3c' : '#bbb'}"/><text x="${x.toFixed(1)}" y="${(y + 18).toFixed(1)}" font-size="9" text-anchor="middle" fill="#333">${esc(short(p))}</text>`
    })
    .join('')
  const said = peers
    .filter((p) => worked.has(p))
    .map(
      (p) =>
        `${short(p)} computed ${worked.get(p)!.samples} samples${worked.get(p)!.running ? ' (working now)' : ''}`,
    )
  const label = `this node and ${peers.length} providers; ${said.length ? said.join('; ') : 'none computed for this node yet'}`
  return `<svg class="picture" viewBox="0 0 ${size} ${size}" width="${size}" height="${size}" role="img" aria-label="${esc(label)}">${edges}${dots}<circle cx="${c}" cy="${c}" r="10" fill="#e0a000"/><text x="${c}" y="${c + 24}" font-size="10" text-anchor="middle" fill="#333">this node</text></svg>`
}
