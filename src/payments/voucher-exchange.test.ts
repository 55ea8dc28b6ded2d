import { type Address, getAddress } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { type JobInfo, type Ledger, StaleVoucherError, signVoucherWith } from '../ledger/index.js'
import { logger } from '../log.js'
import type { Agreement } from '../protocols/market-messages.js'
import { openDb } from '../store/db.js'
import { ProviderPayments } from './provider-payments.js'
import { RequesterPayments } from './requester-payments.js'

const CHAIN = 31337
const ESCROW = getAddress('0x00000000000000000000000000000000000000e5')
const hash = (n: number) => n.toString(16).padStart(64, '0')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Both sides' real voucher bookkeeping with real EIP-712 signatures; only the chain is a stand-in
 * (escrow job 7 at price 3, read with a configurable delay so checks can overlap).
 */
function setup() {
  const requester = privateKeyToAccount(generatePrivateKey())
  const provider = privateKeyToAccount(generatePrivateKey()).address
  /** The escrow's cumulative rule per provider (JobEscrow._record): a voucher must advance, pays the rest. */
  const chain = { units: 0n, amount: 0n, txs: 0 }
  const redeem = async (v: { cumulativeUnits: bigint; cumulativeAmount: bigint }) => {
    if (v.cumulativeUnits <= chain.units)
      throw new StaleVoucherError('stale', {
        errorName: 'StaleVoucher',
        args: [chain.units, v.cumulativeUnits],
      })
    const paid = v.cumulativeAmount - chain.amount
    Object.assign(chain, { units: v.cumulativeUnits, amount: v.cumulativeAmount, txs: chain.txs + 1 })
    return { paid, txHash: `0x${chain.txs}`, gasUsed: 0n }
  }
  const reqDb = openDb(':memory:')
  reqDb
    .prepare(
      "INSERT INTO jobs (id, spec, status, created_at, updated_at, escrow_job, escrow_price) VALUES ('j', '{}', 'running', 0, 0, '7', '3')",
    )
    .run()
  const reqLedger = {
    chainId: CHAIN,
    address: requester.address,
    deployments: { escrow: ESCROW },
    signVoucher: (v: Parameters<Ledger['signVoucher']>[0]) => signVoucherWith(requester, v, ESCROW, CHAIN),
    redeem,
  } as unknown as Ledger
  const info: JobInfo = {
    jobId: 7n,
    requester: requester.address,
    deadline: 0n,
    feeBps: 0,
    closed: false,
    budget: 10n ** 9n,
    paid: 0n,
    pricePerUnit: 3n,
    payees: 1,
    redeemableUntil: 10n ** 12n,
  }
  const delays: number[] = []
  const provLedger = {
    chainId: CHAIN,
    address: provider,
    deployments: { escrow: ESCROW },
    redeem,
    jobInfo: async () => {
      await sleep(delays.shift() ?? 0)
      return info
    },
  } as unknown as Ledger
  const provDb = openDb(':memory:')
  /** A provider process: a restart is a new instance on the same database. */
  const providerProcess = () =>
    new ProviderPayments(provDb, provLedger, logger('test'), { redeemThreshold: 10n ** 18n })
  const req = new RequesterPayments(reqDb, reqLedger, logger('test'))
  const agreement = { escrow: { chainId: CHAIN, escrow: ESCROW, jobId: '7' } } as Agreement
  const task = (n: number) => ({
    taskId: `j.t${n}`,
    units: 2,
    inputHash: hash(n),
    outputHash: hash(n + 1000),
  })
  return {
    req,
    chain,
    provider: provider as Address,
    agreement,
    delays,
    providerProcess,
    /** The provider ran task n and its result was accepted. */
    accepted: (prov: ProviderPayments, n: number) => {
      prov.recordTask(agreement, task(n))
      req.recordAccepted('j', provider as Address, task(n))
    },
    next: () => req.nextVoucher('j', provider as Address),
    ack: (units: string) => req.acknowledge('j', provider as Address, BigInt(units)),
  }
}

describe('voucher exchange between RequesterPayments and ProviderPayments', () => {
  it('stays in step across lost acknowledgements, a provider restart and results that never arrived', async () => {
    const { agreement, providerProcess, accepted, next, ack } = setup()
    let prov = providerProcess()
    accepted(prov, 1)
    accepted(prov, 2)
    const v1 = (await next())!
    await prov.acceptVoucher(agreement, v1) // stored, but the ack dies with the process
    prov = providerProcess() // kill -9 and restart: caches gone, database kept
    prov.recordTask(agreement, { taskId: 'j.lost', units: 2, inputHash: hash(9), outputHash: hash(9) })
    accepted(prov, 3)
    const v2 = (await next())!
    expect(v2.taskIds).toEqual(['j.t1', 'j.t2', 'j.t3'])
    await prov.acceptVoucher(agreement, v2)
    ack(v2.cumulativeUnits)
    accepted(prov, 4)
    const v3 = (await next())!
    expect(v3.taskIds).toEqual(['j.t4'])
    await prov.acceptVoucher(agreement, v3)
    ack(v3.cumulativeUnits)
    // paid for exactly the accepted tasks: 4 × 2 units, never for the result that never arrived
    expect(prov.held()[0].voucher.cumulativeUnits).toBe('8')
    expect(prov.held()[0].voucher.cumulativeAmount).toBe('24')
    expect(prov.uncovered('7')).toBe(1)
    expect(await next()).toBeUndefined()
  })

  it('two streams checking overlapping vouchers at once cannot knock the provider out of step', async () => {
    for (let round = 0; round < 20; round++) {
      const { agreement, delays, providerProcess, accepted, next, ack } = setup()
      const prov = providerProcess()
      // several vouchers in flight, none acknowledged yet: each repeats the earlier tasks
      const sent = []
      for (let n = 1; n <= 4; n++) {
        accepted(prov, n)
        sent.push((await next())!)
      }
      // the requester's old and new stream deliver them to one provider process in any order
      delays.push(...sent.map(() => Math.floor(Math.random() * 4)))
      const results = await Promise.allSettled(sent.map((v) => prov.acceptVoucher(agreement, v)))
      for (const [i, r] of results.entries()) if (r.status === 'fulfilled') ack(sent[i].cumulativeUnits)
      expect(results.some((r) => r.status === 'fulfilled')).toBe(true)
      // whatever was refused (a stale voucher overtaken by a newer one), the next voucher checks out
      accepted(prov, 5)
      const last = (await next())!
      await expect(prov.acceptVoucher(agreement, last)).resolves.toBeUndefined()
      expect(prov.held()[0].voucher.cumulativeUnits).toBe('10')
    }
  })

  it('a provider the last voucher never reached is paid on-chain by the requester, once', async () => {
    const { req, chain, provider, agreement, providerProcess, accepted, next, ack } = setup()
    let prov = providerProcess()
    accepted(prov, 1)
    const v1 = (await next())!
    await prov.acceptVoucher(agreement, v1)
    ack(v1.cumulativeUnits)
    accepted(prov, 2)
    accepted(prov, 3)
    await next() // the final voucher: lost with the stream when the provider was killed
    prov = providerProcess()
    expect(req.owed('j')).toEqual([provider])
    // the job ends: the requester redeems everything accepted (3 tasks × 2 units × price 3) for the provider
    const res = await req.redeemFor('j', provider)
    expect(res?.paid).toBe(18n)
    expect(chain.units).toBe(6n)
    expect(req.owed('j')).toEqual([])
    expect(await req.redeemFor('j', provider)).toBeUndefined() // nothing owed: no second payment
    // the provider's own, older voucher is now stale: no payment, and it stops retrying
    expect(await prov.redeem('7')).toBeUndefined()
    expect(prov.held()[0].unredeemed).toBe('0')
    expect(chain).toMatchObject({ units: 6n, amount: 18n, txs: 1 })
  })
})
