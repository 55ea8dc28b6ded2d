import { getAddress, zeroHash } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toActivity } from './activity-actions.js'
import { createLedger, type Ledger } from './ledger.js'
import { chainTime, startTestChain, TEST_KEYS } from './test-utils.js'

const A = '0x1111111111111111111111111111111111111111'
const B = '0x2222222222222222222222222222222222222222'

describe('toActivity', () => {
  it('names the party each event concerns and its amount', () => {
    expect(toActivity('Accused', { disputeId: 4n, accused: A, accuser: B, held: 9n })).toEqual({
      kind: 'accused',
      account: getAddress(A),
      counterparty: getAddress(B),
      disputeId: 4n,
      amount: 9n,
    })
    expect(toActivity('Resolved', { disputeId: 4n, status: 4, rewarded: 3n, resolver: A })).toMatchObject({
      kind: 'dispute-resolved',
      outcome: 'reversed',
      amount: 3n,
    })
    expect(toActivity('JobSettled', { jobId: 1n, requester: A, refund: 5n, payees: 2n })).toMatchObject({
      kind: 'job-settled',
      amount: 5n,
      payees: 2,
    })
    expect(() => toActivity('FeeChanged', {})).toThrow(/not an activity event/)
  })
})

describe('ledger activity against a real anvil', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let requester: Ledger
  let provider: Ledger

  beforeAll(async () => {
    env = await startTestChain()
    const mk = (k: `0x${string}`) =>
      createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments })
    ;[requester, provider] = await Promise.all(TEST_KEYS.slice(0, 2).map(mk))
    await requester.faucet(requester.address, 100_000n)
    await provider.faucet(provider.address, 1_000n)
  })
  afterAll(() => env?.cleanup())

  it('gives each account its escrow jobs, payments and stakes, newest first, with block times', async () => {
    const deadline = (await chainTime(env.chain.rpcUrl)) + 600n
    const { jobId } = await requester.openJob({ budget: 7_000n, pricePerUnit: 7n, deadline })
    await requester.addPayees(jobId, [provider.address])
    const v = {
      jobId,
      provider: provider.address,
      cumulativeUnits: 10n,
      cumulativeAmount: 70n,
      receiptsRoot: zeroHash,
    }
    await provider.redeem(v, await requester.signVoucher(v))
    await provider.register('12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq')
    await provider.stake(500n)
    await provider.requestUnstake(200n)

    const mine = await provider.activity({ account: provider.address })
    expect(mine.map((e) => e.kind)).toEqual(['unstake-requested', 'staked', 'contribution'])
    expect(mine[2]).toMatchObject({ jobId, amount: 70n, units: 10n, account: provider.address })
    expect(mine[1]).toMatchObject({ amount: 500n, total: 500n })
    expect(mine.every((e) => e.time > 1_600_000_000 && /^0x[0-9a-f]{64}$/.test(e.txHash))).toBe(true)
    expect(mine[0].blockNumber).toBeGreaterThan(mine[2].blockNumber)

    const theirs = await provider.activity({ account: requester.address })
    expect(theirs.map((e) => e.kind)).toEqual(['job-opened'])
    expect(theirs[0]).toMatchObject({ jobId, amount: 7_000n })
    expect((await provider.activity()).length).toBe(4)
    expect(await provider.activity({ limit: 1 })).toEqual([mine[0]])
    // read backwards in windows of 2 blocks: the same events, and it stops once it has enough
    expect(await provider.activity({ account: provider.address, step: 2n })).toEqual(mine)
    expect(await provider.activity({ account: provider.address, step: 2n, limit: 2 })).toEqual(
      mine.slice(0, 2),
    )
    expect(await provider.activity({ lookback: 0n })).toEqual([mine[0]]) // the latest block only
  })
})
