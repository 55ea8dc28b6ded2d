import { describe, expect, it } from 'vitest'
import type { ActivityInfo } from '../sdk/ledger-types.js'
import { activityHtml, earnings, earningsSvg } from './render-activity.js'
import { stakeSaid } from './stake-form.js'

const MUT = 10n ** 18n
const ME = '0xAbC0000000000000000000000000000000000001'
const THEM = '0x2220000000000000000000000000000000000002'
let n = 0
const ev = (over: Partial<ActivityInfo>): ActivityInfo => ({
  kind: 'contribution',
  blockNumber: String(++n),
  time: 1_800_000_000 + n * 60,
  txHash: `0x${'ab'.repeat(32)}`,
  logIndex: 0,
  account: ME,
  ...over,
})

describe('on-chain activity views', () => {
  it('says what happened to whom in MUT, names this node, marks slashes and escapes what the chain holds', () => {
    const html = activityHtml(
      [
        ev({ kind: 'slashed', account: ME, counterparty: THEM, amount: (2n * MUT).toString() }),
        ev({ kind: 'job-opened', account: THEM, jobId: '7', amount: (10n * MUT).toString() }),
        ev({ kind: 'dispute-resolved', account: ME, disputeId: '3', outcome: '<b>upheld</b>' }),
      ],
      ME.toLowerCase(),
    )
    expect(html).toContain('<b>this node</b> was slashed')
    expect(html).toContain('2 MUT')
    expect(html).toContain('class="bad"')
    expect(html).toContain('0x222000…0002 opened an escrow job')
    expect(html).toContain('job 7')
    expect(html).toContain('dispute 3')
    expect(html).toContain('&#60;b&#62;upheld')
    expect(html).not.toContain('<b>upheld')
    expect(html).toContain('2027-01-15')
    const stakes = activityHtml(
      [
        ev({ kind: 'staked', amount: (2n * MUT).toString(), total: (5n * MUT).toString() }),
        ev({ kind: 'unstake-requested', amount: MUT.toString(), unlockAt: '1800000000' }),
        ev({ kind: 'job-settled', account: THEM, jobId: '7', amount: '0', payees: 2 }),
      ],
      ME,
    )
    expect(stakes).toContain('staked <span class="muted">(stake now 5 MUT)')
    expect(stakes).toContain('withdrawable from 2027-01-15 08:00:00')
    expect(stakes).toContain('released by 2 provider(s)')
    expect(activityHtml([], ME)).toContain('Nothing on the chain yet')
  })

  it("draws this node's cumulative earnings from its payments only, oldest first, totals in the label", () => {
    const list = [
      ev({ amount: (3n * MUT).toString(), time: 1_800_000_300 }),
      ev({ account: THEM, amount: (50n * MUT).toString() }),
      ev({ amount: (MUT / 2n).toString(), time: 1_800_000_100 }),
      ev({ kind: 'staked', amount: (9n * MUT).toString() }),
    ]
    expect(earnings(list, ME.toLowerCase()).map((p) => [p.time, p.total])).toEqual([
      [1_800_000_100, MUT / 2n],
      [1_800_000_300, (7n * MUT) / 2n],
    ])
    const svg = earningsSvg(list, ME)
    expect(svg).toMatch(/^<svg class="curve earnings"/)
    expect(svg).toContain('aria-label="earned 3.5 MUT in 2 payment(s) between 2027-01-15')
    expect(svg).toMatch(/<path d="M10\.0,106\.0 H10\.0 V\d+\.\d H310\.0 V14\.0"/)
    expect(earningsSvg([list[1]], ME)).toContain('No payment to this node')
  })

  it('says what each stake action did', () => {
    expect(
      stakeSaid('stake', '10', { txHash: '0x1234567890ab', stake: (10n * MUT).toString(), registered: true }),
    ).toBe('staked 10 MUT (this node registered its peer id first): stake now 10 MUT, tx 0x12345678…')
    expect(
      stakeSaid('unstake', '4', {
        txHash: '0xfe',
        stake: (6n * MUT).toString(),
        unbonding: { amount: (4n * MUT).toString(), unlockAt: '1800000000' },
      }),
    ).toMatch(/^4 MUT unbonding, withdrawable after 2027-01-15T08:00:00.000Z; stake now 6 MUT/)
    expect(stakeSaid('withdraw', '', { txHash: '0xfe', balance: MUT.toString() })).toMatch(
      /balance now 1 MUT/,
    )
  })
})
