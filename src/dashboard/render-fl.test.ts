import { describe, expect, it } from 'vitest'
import { curveSvg, type FlRunRow, flHtml } from './render-fl.js'

const owner: FlRunRow = {
  id: 'coordinate-h',
  role: 'coordinator',
  job: 'hospitals<1>',
  status: 'done',
  curve: [
    { round: 1, testAccuracy: 0.6, meanLoss: 0.7 },
    { round: 2, testAccuracy: 0.9, meanLoss: 0.4 },
  ],
  events: [
    { event: 'round', round: 2, shares: { '12D3KooWaaaaaaaaaaaa': 0.25, '12D3KooWbbbbbbbbbbbb': 0.75 } },
    { event: 'payouts', payouts: { '12D3KooWaaaaaaaaaaaa': '250000000000000000' } },
    { event: 'done', modelHash: 'ab'.repeat(32), root: 'cd'.repeat(32) },
  ],
}

describe('federated training view', () => {
  it("draws the coordinator's accuracy curve, shares and payouts in MUT, escaping the job's name", () => {
    const html = flHtml([owner])
    expect(html).toContain('hospitals&#60;1&#62;')
    expect(html).toContain('2 round(s), test accuracy 90.0 %')
    expect(html).toContain('<polyline points="10.0,50.0 310.0,20.0"')
    expect(html).toContain('aria-label="test accuracy by round: round 1 60.0 %, round 2 90.0 %"')
    expect(html).toContain('12D3KooW…bbbbbb: 75.0 %')
    expect(html).toContain('12D3KooW…aaaaaa: 0.25 MUT')
    expect(html).toContain('lineage root')
  })

  it("shows a holder's updates, privacy spent and payment; says when there is nothing", () => {
    const html = flHtml([
      {
        id: 'hold-h',
        role: 'holder',
        job: 'h',
        status: 'done',
        events: [
          { event: 'update-sent', secure: true, epsilon: 1.23456 },
          { event: 'paid', amount: '1000000000000000000' },
        ],
      },
    ])
    expect(html).toContain('1 update(s) sent (masked: secure aggregation), privacy spent ε 1.235, paid 1 MUT')
    expect(flHtml([])).toContain('No federated training')
    expect(curveSvg([{ round: 1 }])).toContain('--test')
  })
})
