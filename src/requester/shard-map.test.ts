import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_SHARD_CELLS, shardMap } from './shard-map.js'
import type { ShardStatus } from './shard-plan.js'

const s = (status: ShardStatus, provider?: string) => ({ status, provider })

describe('shardMap', () => {
  it('letters providers by first appearance: capitals accepted, lower case computing, = local, . waiting', () => {
    expect(
      shardMap([
        s('done', 'p1'),
        s('assigned', 'p2'),
        s('done', 'p2'),
        s('done'),
        s('pending'),
        s('assigned', 'p1'),
      ]),
    ).toEqual({ providers: ['p1', 'p2'], cells: 'AbB=.a', shardsPerCell: 1 })
    expect(shardMap([])).toEqual({ providers: [], cells: '', shardsPerCell: 1 })
  })

  it('past 26 providers: # and ~', () => {
    const shards = Array.from({ length: 28 }, (_, i) => s('done', `p${i}`))
    shards.push(s('assigned', 'p27'))
    const m = shardMap(shards)
    expect(m.cells).toBe(`ABCDEFGHIJKLMNOPQRSTUVWXYZ##~`)
    expect(m.providers).toHaveLength(28)
  })

  it('groups a large job into at most MAX_SHARD_CELLS cells, each for the provider of most of its shards', () => {
    const shards = Array.from({ length: 3000 }, (_, i) => s('done', i % 3 === 0 ? 'x' : 'y'))
    shards[5] = s('assigned', 'x')
    shards[2999] = s('pending')
    const m = shardMap(shards)
    expect(m.shardsPerCell).toBe(3)
    expect(m.cells).toHaveLength(1000)
    expect(m.cells[0]).toBe('A') // x, y, y: mostly y, lettered first
    expect(m.cells[1]).toBe('b') // computing: shard 5 by x
    expect(m.providers).toEqual(['y', 'x'])
    expect(m.cells.at(-1)).toBe('.')
  })

  it('never more cells than the cap, and every shard in exactly one cell', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), (n) => {
        const m = shardMap(Array.from({ length: n }, () => s('pending')))
        expect(m.cells.length).toBeLessThanOrEqual(MAX_SHARD_CELLS)
        expect(m.cells.length).toBe(Math.ceil(n / m.shardsPerCell))
        expect(m.cells.length * m.shardsPerCell).toBeGreaterThanOrEqual(n)
      }),
      { numRuns: 50 },
    )
  })
})
