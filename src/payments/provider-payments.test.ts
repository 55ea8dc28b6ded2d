import type { Address, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { type JobInfo, type Ledger, signVoucherWith } from '../ledger/index.js'
import { logger } from '../log.js'
import type { Agreement } from '../protocols/market-messages.js'
import { openDb } from '../store/db.js'
import { ProviderPayments } from './provider-payments.js'
import { RequesterPayments } from './requester-payments.js'

const requester = privateKeyToAccount(generatePrivateKey())
const providerEth = '0x00000000000000000000000000000000000000aa' as Address
const escrow = '0x00000000000000000000000000000000000000ee' as Address
const hash = (n: number) => n.toString(16).padStart(64, '0')
const job: JobInfo = {
  jobId: 7n,
  requester: requester.address,
  deadline: 0n,
  feeBps: 0,
  closed: false,
  budget: 10n ** 18n,
  paid: 0n,
  pricePerUnit: 3n,
  payees: 1,
  redeemableUntil: 2n ** 40n,
}

/** Stand-ins for the chain client: vouchers are really signed (EIP-712) and really recovered. */
const base = { chainId: 31337, deployments: { escrow }, jobInfo: async () => job }
const requesterLedger = {
  ...base,
  address: requester.address,
  signVoucher: (v: Parameters<Ledger['signVoucher']>[0]) => signVoucherWith(requester, v, escrow, 31337),
} as unknown as Ledger
const providerLedger = { ...base, address: providerEth } as unknown as Ledger
const agreement = { escrow: { chainId: 31337, escrow, jobId: '7' } } as Agreement
const task = (n: number) => ({ taskId: `t${n}`, units: 2, inputHash: hash(n), outputHash: hash(n + 1000) })

function setup() {
  const reqDb = openDb(':memory:')
  reqDb
    .prepare(
      "INSERT INTO jobs (id, spec, status, created_at, updated_at, escrow_job, escrow_price) VALUES ('j', '{}', 'running', 0, 0, '7', '3')",
    )
    .run()
  const req = new RequesterPayments(reqDb, requesterLedger, logger('test'))
  const db = openDb(':memory:')
  const prov = new ProviderPayments(db, providerLedger, logger('test'), { redeemThreshold: 10n ** 30n })
  /** The provider completes task n and the requester accepts it. */
  const run = (n: number) => {
    prov.recordTask(agreement, task(n))
    req.recordAccepted('j', providerEth, task(n))
  }
  return { req, prov, db, run }
}

describe('ProviderPayments uncovered tasks (the credit limit the task server checks per task)', () => {
  it('counts completed tasks until a voucher covers them, once each', async () => {
    const { req, prov, db, run } = setup()
    expect(prov.uncovered('7')).toBe(0)
    run(1)
    run(2)
    prov.recordTask(agreement, task(2)) // a duplicate receipt is not a second task
    expect(prov.uncovered('7')).toBe(2)
    const v1 = (await req.nextVoucher('j', providerEth))!
    run(3)
    expect(prov.uncovered('7')).toBe(3)
    await prov.acceptVoucher(agreement, v1)
    expect(prov.uncovered('7')).toBe(1)
    // a voucher resent before its ack (t1, t2 again, plus t3) only covers t3 anew
    const v2 = (await req.nextVoucher('j', providerEth))!
    expect(v2.taskIds).toEqual(['t1', 't2', 't3'])
    await prov.acceptVoucher(agreement, v2)
    expect(prov.uncovered('7')).toBe(0)
    // the kept count agrees with the database, and a restarted provider counts from it
    run(4)
    const restarted = new ProviderPayments(db, providerLedger, logger('test'), { redeemThreshold: 1n })
    expect(prov.uncovered('7')).toBe(1)
    expect(restarted.uncovered('7')).toBe(1)
  })

  it('refuses a voucher whose root does not match and leaves the count alone', async () => {
    const { req, prov, run } = setup()
    run(1)
    const v = (await req.nextVoucher('j', providerEth))!
    // validly signed by the requester, over a root that is not that of the provider's receipts
    const receiptsRoot = `0x${'ab'.repeat(32)}` as Hex
    const signature = await signVoucherWith(
      requester,
      {
        jobId: 7n,
        provider: providerEth,
        cumulativeUnits: BigInt(v.cumulativeUnits),
        cumulativeAmount: BigInt(v.cumulativeAmount),
        receiptsRoot,
      },
      escrow,
      31337,
    )
    await expect(prov.acceptVoucher(agreement, { ...v, receiptsRoot, signature })).rejects.toThrow(
      /receipts root/,
    )
    expect(prov.uncovered('7')).toBe(1)
  })

  it('refuses a voucher whose signature does not cover its fields, before looking at receipts', async () => {
    const { req, prov, run } = setup()
    run(1)
    const v = (await req.nextVoucher('j', providerEth))!
    const tampered = { ...v, receiptsRoot: `0x${'ab'.repeat(32)}` as Hex }
    await expect(prov.acceptVoucher(agreement, tampered)).rejects.toThrow(
      /not signed by the escrow job requester/,
    )
    expect(prov.uncovered('7')).toBe(1)
  })
})
