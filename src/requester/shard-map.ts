import type { Shard } from './shard-plan.js'

/**
 * A job's shards at a glance — who computed, or is computing, each one — in one character per cell, small
 * enough to send with every live snapshot of the dashboard.
 *
 * Cells: `.` waiting; a capital letter: accepted from provider `providers[i]` (`A` = 0 … `Z` = 25); the same
 * letter in lower case: being computed by that provider now; `#` accepted from a provider past the 26th, `~`
 * being computed by one; `=` computed by the requester itself (canary answers). A job of more than
 * {@link MAX_SHARD_CELLS} shards is drawn with `shardsPerCell` shards per cell: a cell is accepted (from the
 * provider of most of its shards) once all its shards are, computing while any of them is, waiting otherwise.
 */
export interface ShardMap {
  providers: string[]
  cells: string
  shardsPerCell: number
}

/** Most cells of one map (a 40,000-shard job is drawn 40 shards per cell). */
export const MAX_SHARD_CELLS = 1024
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** The map of `shards` (in order); providers are lettered by first appearance. */
export function shardMap(shards: readonly Pick<Shard, 'status' | 'provider'>[]): ShardMap {
  const providers: string[] = []
  const letter = new Map<string, number>()
  const indexOf = (p: string) => {
    let i = letter.get(p)
    if (i === undefined) {
      i = providers.length
      letter.set(p, i)
      providers.push(p)
    }
    return i
  }
  const per = Math.max(1, Math.ceil(shards.length / MAX_SHARD_CELLS))
  let cells = ''
  for (let start = 0; start < shards.length; start += per) {
    const group = shards.slice(start, start + per)
    const running = group.find((s) => s.status === 'assigned')
    if (running) {
      const i = running.provider === undefined ? -1 : indexOf(running.provider)
      cells += i >= 0 && i < 26 ? LETTERS[i].toLowerCase() : '~'
    } else if (group.every((s) => s.status === 'done')) {
      const counts = new Map<string | undefined, number>()
      for (const s of group) counts.set(s.provider, (counts.get(s.provider) ?? 0) + 1)
      const [top] = [...counts].sort((a, b) => b[1] - a[1])[0]
      if (top === undefined) cells += '='
      else {
        const i = indexOf(top)
        cells += i < 26 ? LETTERS[i] : '#'
      }
    } else cells += '.'
  }
  return { providers, cells, shardsPerCell: per }
}
