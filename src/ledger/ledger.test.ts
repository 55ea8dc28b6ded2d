import { zeroHash } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLedger, type Ledger } from './ledger.js'
import { hashRelease } from './release.js'
import { chainTime, increaseTime, startTestChain, TEST_KEYS } from './test-utils.js'
import type { Voucher } from './voucher.js'

describe('ledger client against a real anvil', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let requester: Ledger
  let provider: Ledger
  let other: Ledger
  const price = 7n

  beforeAll(async () => {
    env = await startTestChain()
    const mk = (k: `0x${string}`) =>
      createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments })
    ;[requester, provider, other] = await Promise.all(TEST_KEYS.map(mk))
    await requester.faucet(requester.address, 1_000_000n)
    await provider.faucet(provider.address, 500n)
  })
  afterAll(() => env?.cleanup())

  const openJob = async (budget = 1_000n * price, permit = false) => {
    const deadline = (await chainTime(env.chain.rpcUrl)) + 600n
    const { jobId } = await requester.openJob({ budget, pricePerUnit: price, deadline, permit })
    await requester.addPayees(jobId, [provider.address])
    return jobId
  }
  const voucher = (jobId: bigint, units: bigint, to = provider.address): Voucher => ({
    jobId,
    provider: to,
    cumulativeUnits: units,
    cumulativeAmount: units * price,
    receiptsRoot: zeroHash,
  })

  it('opens jobs (approve or permit) and pays cumulative vouchers by difference, to the provider', async () => {
    const before = await requester.balance()
    const jobId = await openJob()
    const permitJob = await openJob(100n * price, true)
    expect(await requester.balance()).toBe(before - 1_100n * price)
    expect((await requester.jobInfo(permitJob)).budget).toBe(100n * price)

    const v1 = voucher(jobId, 10n)
    const v2 = voucher(jobId, 25n)
    const s1 = await requester.signVoucher(v1)
    const s2 = await requester.signVoucher(v2)
    const p0 = await provider.balance()
    expect((await other.redeem(v1, s1)).paid).toBe(70n) // anyone may submit; the provider is paid
    expect((await provider.redeem(v2, s2)).paid).toBe(105n)
    expect(await provider.balance()).toBe(p0 + 25n * price)
    expect(await other.balance()).toBe(0n)
    expect(await provider.redeemed(jobId, provider.address)).toEqual({ units: 25n, amount: 175n })

    const mine = await requester.contributions({ provider: provider.address, jobId })
    expect(mine.map((c) => [c.units, c.amount, c.cumulativeUnits])).toEqual([
      [10n, 70n, 10n],
      [15n, 105n, 25n],
    ])
    expect(await requester.contributions({ provider: other.address })).toEqual([])
  })

  it('rejects forged, other-job, other-provider, older, replayed and over-budget vouchers with named errors', async () => {
    const jobId = await openJob()
    const jobB = await openJob()
    const v = voucher(jobId, 20n)
    const sig = await requester.signVoucher(v)

    await expect(provider.redeem(v, await other.signVoucher(v))).rejects.toMatchObject({
      name: 'VoucherSignatureError',
    })
    await expect(provider.redeem({ ...v, jobId: jobB }, sig)).rejects.toMatchObject({
      name: 'VoucherSignatureError',
    })
    // another provider: not a payee of the job, so refused before its signature is even checked
    await expect(provider.redeem({ ...v, provider: other.address }, sig)).rejects.toMatchObject({
      name: 'NotPayeeError',
    })

    const older = voucher(jobId, 5n)
    const olderSig = await requester.signVoucher(older)
    await provider.redeem(v, sig)
    await expect(provider.redeem(older, olderSig)).rejects.toMatchObject({
      name: 'StaleVoucherError',
      errorName: 'StaleVoucher',
      args: [20n, 5n],
    })
    await expect(provider.redeem(v, sig)).rejects.toMatchObject({ name: 'StaleVoucherError' })

    const big = voucher(jobId, 1_001n)
    await expect(provider.redeem(big, await requester.signVoucher(big))).rejects.toMatchObject({
      name: 'VoucherExceedsBudgetError',
    })
    const bad = { ...voucher(jobId, 30n), cumulativeAmount: 1n }
    const err = await provider.redeem(bad, await requester.signVoucher(bad)).catch((e) => e)
    expect(err.name).toBe('VoucherAmountMismatchError')
    expect(err.shortMessage).toContain('is not units × price')
  })

  it('reclaims exactly the rest only after deadline + redeem window', async () => {
    const jobId = await openJob()
    const v = voucher(jobId, 300n)
    await provider.redeem(v, await requester.signVoucher(v))
    await expect(requester.reclaim(jobId)).rejects.toMatchObject({ name: 'ReclaimTooEarlyError' })
    await increaseTime(env.chain.rpcUrl, 601)
    await expect(requester.reclaim(jobId)).rejects.toMatchObject({ name: 'ReclaimTooEarlyError' })
    const late = voucher(jobId, 310n) // still redeemable inside the window, requester gone or not
    await provider.redeem(late, await requester.signVoucher(late))
    await increaseTime(env.chain.rpcUrl, 3_600)
    await expect(provider.reclaim(jobId)).rejects.toMatchObject({ name: 'NotRequesterError' })
    const before = await requester.balance()
    const { amount } = await requester.reclaim(jobId)
    expect(amount).toBe((1_000n - 310n) * price)
    expect(await requester.balance()).toBe(before + amount)
    expect((await requester.jobInfo(jobId)).closed).toBe(true)
    await expect(requester.reclaim(jobId)).rejects.toMatchObject({ name: 'JobClosedError' })
  })

  it('closes a job early with provider-signed releases: pays the rest of each release, refunds the budget at once', async () => {
    const jobId = await openJob()
    expect(await requester.addPayees(jobId, [provider.address, other.address])).toMatchObject({
      added: [other.address], // the provider is a payee already: skipped
    })
    expect((await requester.jobInfo(jobId)).payees).toBe(2)
    const stranger = voucher(jobId, 1n, requester.address)
    await expect(provider.redeem(stranger, await requester.signVoucher(stranger))).rejects.toMatchObject({
      name: 'NotPayeeError',
    })
    await provider.redeem(voucher(jobId, 40n), await requester.signVoucher(voucher(jobId, 40n)))
    const rel = (who: Ledger, units: bigint) => ({
      jobId,
      provider: who.address,
      cumulativeUnits: units,
      receiptsRoot: zeroHash,
    })
    const mine = rel(provider, 50n) // 10 units more than redeemed: paid by the close
    const theirs = rel(other, 0n) // did no work
    expect(hashRelease(mine, env.deployments.escrow, requester.chainId)).toBe(
      await requester.releaseDigest(mine),
    )
    const signed = [
      { release: mine, signature: await provider.signRelease(mine) },
      { release: theirs, signature: await other.signRelease(theirs) },
    ]
    await expect(requester.closeJob(jobId, signed.slice(0, 1))).rejects.toMatchObject({
      name: 'ReleaseError',
    })
    const forged = [signed[0], { release: theirs, signature: await provider.signRelease(theirs) }]
    await expect(requester.closeJob(jobId, forged)).rejects.toMatchObject({
      name: 'ReleaseError',
      errorName: 'InvalidReleaseSignature',
    })
    await expect(provider.closeJob(jobId, signed)).rejects.toMatchObject({ name: 'NotRequesterError' })
    const [r0, p0] = [await requester.balance(), await provider.balance()]
    const settled = await requester.closeJob(jobId, signed)
    expect(settled).toMatchObject({ refund: (1_000n - 50n) * price, paid: 10n * price, payees: 2 })
    expect(await requester.balance()).toBe(r0 + (1_000n - 50n) * price)
    expect(await provider.balance()).toBe(p0 + 10n * price)
    expect((await requester.jobInfo(jobId)).closed).toBe(true)
    await expect(
      provider.redeem(voucher(jobId, 60n), await requester.signVoucher(voucher(jobId, 60n))),
    ).rejects.toMatchObject({
      name: 'JobClosedError',
    })
  })

  it('closes a job nobody worked for (no payees) with a full refund at once', async () => {
    const deadline = (await chainTime(env.chain.rpcUrl)) + 600n
    const { jobId } = await requester.openJob({ budget: 500n, pricePerUnit: price, deadline })
    const before = await requester.balance()
    expect((await requester.closeJob(jobId, [])).refund).toBe(500n)
    expect(await requester.balance()).toBe(before + 500n)
  })

  it('registers a peer id, stakes, unbonds and withdraws', async () => {
    const peerId = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp'
    await expect(provider.stake(10n)).rejects.toMatchObject({
      name: 'RegistryError',
      errorName: 'NotRegistered',
    })
    await expect(provider.register('not-a-peer-id')).rejects.toMatchObject({ name: 'InvalidInputError' })
    await provider.register(peerId)
    expect(await other.peerIdOf(provider.address)).toBe(peerId)
    expect(await other.providerOf(peerId)).toBe(provider.address)
    await expect(other.register(peerId)).rejects.toMatchObject({
      name: 'RegistryError',
      errorName: 'PeerIdTaken',
    })
    await provider.stake(300n)
    expect(await other.stakeOf(provider.address)).toBe(300n)
    await provider.requestUnstake(100n)
    await expect(provider.withdraw()).rejects.toMatchObject({ errorName: 'NothingToWithdraw' })
    await increaseTime(env.chain.rpcUrl, 601)
    const before = await provider.balance()
    await provider.withdraw()
    expect(await provider.balance()).toBe(before + 100n)
    expect(await provider.stakeOf()).toBe(200n)
  })

  it('faucet mints exact amounts on the local chain', async () => {
    const b = await other.balance()
    await other.faucet(other.address, 42n)
    expect(await other.balance()).toBe(b + 42n)
  })
})
