/**
 * A job's shards as a picture (pure: tested in Node): one square per cell of the job's shard map, coloured by
 * the provider that computed it (pale while it computes), grey while waiting, amber where the requester
 * computed it itself; a legend names each provider and what it did, and the same facts label the picture
 * for screen readers.
 */
import type { ShardMap } from '../requester/shard-map.js'
import { esc } from './escape.js'

const PALETTE = ['#0b4f3c', '#2f6fb0', '#b0452f', '#7a4fb0', '#3f8f2f', '#b07a1f', '#1f8f8f', '#8f1f5f']
const COLS = 32
const CELL = 8
const short = (id: string) => `${id.slice(0, 6)}…${id.slice(-4)}`

type Cell = { fill: string; computing: boolean; provider?: number; local?: boolean }

function cellOf(ch: string): Cell {
  if (ch === '.') return { fill: '#e4e4e4', computing: false }
  if (ch === '=') return { fill: '#e0a000', computing: false, local: true }
  if (ch === '#') return { fill: '#444', computing: false }
  if (ch === '~') return { fill: '#444', computing: true }
  const upper = ch.toUpperCase()
  const i = upper.charCodeAt(0) - 65
  return { fill: PALETTE[i % PALETTE.length], computing: ch !== upper, provider: i }
}

/** The picture of `map`, or nothing for a job without shards. */
export function shardMapSvg(map: ShardMap | undefined): string {
  if (!map?.cells.length) return ''
  const cells = [...map.cells].map(cellOf)
  const cols = Math.min(COLS, cells.length)
  const rows = Math.ceil(cells.length / cols)
  const rects = cells
    .map((c, i) => {
      const x = (i % cols) * CELL
      const y = Math.floor(i / cols) * CELL
      return `<rect x="${x}" y="${y}" width="${CELL - 1}" height="${CELL - 1}" fill="${c.fill}"${c.computing ? ' fill-opacity="0.4" stroke="#000" stroke-width="0.6"' : ''}/>`
    })
    .join('')
  const per = map.shardsPerCell
  const tally = map.providers.map((p, i) => ({
    p,
    i,
    done: cells.filter((c) => c.provider === i && !c.computing).length * per,
    computing: cells.filter((c) => c.provider === i && c.computing).length * per,
  }))
  const waiting = cells.filter((c) => c.fill === '#e4e4e4').length * per
  const local = cells.filter((c) => c.local).length * per
  const words = [
    ...tally.map(
      (t) => `${short(t.p)}: ${t.done} accepted${t.computing ? `, ${t.computing} computing` : ''}`,
    ),
    ...(local ? [`${local} computed by this node`] : []),
    ...(waiting ? [`${waiting} waiting`] : []),
  ]
  const about = per > 1 ? `each square is ${per} shards; ` : 'each square is a shard; '
  const label = `${about}${words.join('; ')}`
  const legend = tally
    .map(
      (t) =>
        `<li><svg width="10" height="10" aria-hidden="true"><rect width="10" height="10" fill="${PALETTE[t.i % PALETTE.length]}"/></svg> <code>${esc(short(t.p))}</code> ${t.done} accepted${t.computing ? `, ${t.computing} computing` : ''}</li>`,
    )
    .join('')
  return `<figure class="shards"><svg viewBox="0 0 ${cols * CELL} ${rows * CELL}" width="${cols * CELL}" height="${rows * CELL}" role="img" aria-label="${esc(label)}">${rects}</svg><figcaption>${esc(about)}pale: computing now${local ? ', amber: computed by this node' : ''}, grey: waiting<ul>${legend}</ul></figcaption></figure>`
}
