import { describe, expect, it } from 'vitest'
import type { LineageCheck } from '../fl/lineage/view.js'
import { flHtml } from './render-fl.js'
import { holdersHtml, lineageHtml, lineageSvg } from './render-lineage.js'

const A = '12D3KooWaaaaaaaaaaaa'
const B = '12D3KooW<bbbbbbbbbb>'
const hash = (c: string) => c.repeat(64)
const check = (over: Partial<LineageCheck['report']> = {}): LineageCheck => ({
  report: { ok: true, root: hash('c'), rounds: 2, anchored: true, problems: [], ...over },
  lineage: {
    job: 'hospitals',
    coordinator: '12D3KooWowner',
    genesisHash: hash('0'),
    rounds: [
      {
        round: 1,
        hash: hash('1'),
        aggregateHash: hash('a'),
        secureAggregation: true,
        participants: [
          { peer: A, numSamples: 100, epsilon: 0.5 },
          { peer: B, numSamples: 50, epsilon: 0.4 },
        ],
        shares: { [A]: 0.6, [B]: 0.4 },
        testAccuracy: 0.8,
      },
      {
        round: 2,
        hash: hash('2'),
        aggregateHash: hash('b'),
        secureAggregation: true,
        participants: [{ peer: A, numSamples: 100, epsilon: 0.9 }],
        shares: { [A]: 1 },
      },
    ],
    modelHash: hash('b'),
    root: hash('c'),
  },
})

describe('lineage view', () => {
  it('says it verified, against the chain anchor, and draws a lane per holder with a dot per round joined', () => {
    const html = lineageHtml(check(), { [A]: '2000000000000000000' })
    expect(html).toContain('<b>verified</b>: 2 round(s)')
    expect(html).toContain('its root is the one anchored on the chain')
    const svg = lineageSvg(check())
    expect(svg.match(/<circle cx="\d+" cy="\d+" r="4"/g)).toHaveLength(3)
    expect(svg).toContain('round 1: 12D3KooW…aaaa, 12D3KooW…bbb&#62;; round 2: 12D3KooW…aaaa')
    expect(svg).not.toContain('<bbbb')
    const holders = holdersHtml(check(), { [A]: '2000000000000000000' })
    expect(holders).toContain('<td>2</td><td>100</td><td>100.0 %</td><td>ε 0.900</td><td>2 MUT</td>')
    expect(holders).toContain('<td>1</td><td>50</td><td>—</td><td>ε 0.400</td><td>—</td>')
  })

  it('names every problem when it does not verify, and says when no anchor was compared', () => {
    const bad = lineageHtml(check({ ok: false, problems: ['round 2: hash does not match its contents'] }))
    expect(bad).toContain('<b>NOT verified</b>: round 2: hash does not match its contents')
    expect(lineageHtml(check({ anchored: undefined }))).toContain('not compared with a chain anchor')
  })

  it('the FL view offers the check and shows its outcome, or why it failed', () => {
    const run = { id: 'coordinate-h', role: 'coordinator' as const, job: 'h', status: 'done', events: [] }
    expect(flHtml([run])).toContain('data-lineage="coordinate-h"')
    expect(flHtml([run], new Map([['coordinate-h', check()]]))).toContain('<b>verified</b>')
    expect(flHtml([run], new Map([['coordinate-h', { error: 'no <lineage>' }]]))).toContain(
      'lineage not checked: no &#60;lineage&#62;',
    )
  })
})
