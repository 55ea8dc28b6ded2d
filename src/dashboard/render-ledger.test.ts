import { describe, expect, it } from 'vitest'
import type { ReceiptProofInfo, WalletInfo } from '../sdk/ledger-types.js'
import { contributionsHtml, receiptsHtml, walletHtml } from './render-ledger.js'

const MUT = 10n ** 18n
const wallet: WalletInfo = {
  address: '0xabc',
  peerId: '12D3',
  registeredPeerId: null,
  balance: (1500n * MUT).toString(),
  stake: '0',
  unbonding: { amount: '0', unlockAt: '0' },
  pendingVouchers: [
    {
      escrowJob: '3',
      requester: '0x1',
      pricePerUnit: '1',
      cumulativeUnits: '10',
      cumulativeAmount: (MUT / 4n).toString(),
      redeemed: '0',
      unredeemed: (MUT / 4n).toString(),
    },
  ],
  chain: { chainId: 31337, rpcUrl: 'http://x', embedded: true, deploymentsFile: '', deployments: {} },
}
const proof = (over: Partial<ReceiptProofInfo>): ReceiptProofInfo => ({
  taskId: 't1',
  receipt: { jobId: '3', taskId: 't1', provider: '0x2', units: '5', inputHash: '0x', outputHash: '0x' },
  root: `0x${'ab'.repeat(32)}`,
  proof: ['0x1', '0x2', '0x3'],
  redemptionTx: `0x${'cd'.repeat(32)}`,
  rootRecordedOnChain: true,
  verifiedLocally: true,
  verifiedOnChain: true,
  ...over,
})

describe('ledger explorer views', () => {
  it('shows the account in MUT, with what vouchers still hold', () => {
    const html = walletHtml(wallet)
    expect(html).toContain('1500 MUT')
    expect(html).toContain('1, 0.25 MUT not redeemed yet')
    expect(html).toContain('chain 31337 (embedded, local)')
  })

  it('lists the latest contributions first, amounts in MUT, escaped', () => {
    const c = (jobId: string) => ({
      jobId,
      provider: '<b>0x9</b>',
      units: '7',
      amount: (2n * MUT).toString(),
      receiptsRoot: '0xroot',
      cumulativeUnits: '7',
      blockNumber: '12',
      txHash: '0x',
    })
    const html = contributionsHtml([c('1'), c('2')])
    expect(html.indexOf('<td>2</td>')).toBeLessThan(html.indexOf('<td>1</td>'))
    expect(html).toContain('2 MUT')
    expect(html).not.toContain('<b>0x9')
    expect(contributionsHtml([])).toContain('No contribution')
  })

  it("says whether a receipt's proof verified on chain, and names a failure", () => {
    const rows = [{ escrowJob: '3', taskId: 't1', units: 5 }]
    expect(receiptsHtml(rows, new Map())).toContain('data-prove="t1"')
    expect(receiptsHtml(rows, new Map([['t1', proof({})]]))).toMatch(
      /verified on chain<\/span>: proof of 3 hashes to root .* recorded by tx/,
    )
    const bad = receiptsHtml(rows, new Map([['t1', proof({ verifiedOnChain: false })]]))
    expect(bad).toContain('NOT verified')
    expect(bad).toContain('escrow contract says invalid')
    expect(receiptsHtml(rows, new Map([['t1', { error: 'no <redeemed> receipt' }]]))).toContain(
      'no &#60;redeemed&#62; receipt',
    )
  })
})
