import { describe, expect, it } from 'vitest'
import { shardMapSvg } from './render-shards.js'

const P1 = '12D3KooWaaaaaaaaaaaa1111'
const P2 = '12D3KooWbbbbbbbbbbbb<2>2'

describe('the shard picture', () => {
  it('one square per cell coloured by provider, pale while computing, and the facts in words', () => {
    const svg = shardMapSvg({ providers: [P1, P2], cells: 'AAbB=..', shardsPerCell: 1 })
    expect(svg.match(/<rect x=/g)).toHaveLength(7)
    expect(svg.match(/fill="#0b4f3c"/g)).toHaveLength(3) // two squares and the legend's swatch
    expect(svg.match(/fill-opacity="0.4"/g)).toHaveLength(1)
    expect(svg).toContain(
      'aria-label="each square is a shard; 12D3Ko…1111: 2 accepted; 12D3Ko…&#60;2&#62;2: 1 accepted, 1 computing; 1 computed by this node; 2 waiting"',
    )
    expect(svg).toContain('<code>12D3Ko…&#60;2&#62;2</code> 1 accepted, 1 computing')
    expect(svg).not.toContain('<2>')
    expect(svg).not.toContain('style=')
  })

  it('says how many shards a square stands for, and draws nothing without shards', () => {
    expect(shardMapSvg({ providers: [P1], cells: 'AA.', shardsPerCell: 40 })).toContain(
      'each square is 40 shards; 12D3Ko…1111: 80 accepted; 40 waiting',
    )
    expect(shardMapSvg({ providers: [], cells: '', shardsPerCell: 1 })).toBe('')
    expect(shardMapSvg(undefined)).toBe('')
  })
})
