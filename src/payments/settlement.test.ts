import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLedger, type Ledger } from '../ledger/index.js'
import { startTestChain, TEST_KEYS } from '../ledger/test-utils.js'
import { logger } from '../log.js'
import type { Agreement } from '../protocols/market-messages.js'
import type { ReleaseRequest } from '../protocols/release-messages.js'
import { openDb } from '../store/db.js'
import { ProviderPayments } from './provider-payments.js'
import { ProviderSettlement } from './provider-settlement.js'
import { RequesterPayments } from './requester-payments.js'
import { RequesterSettlement } from './requester-settlement.js'

const PRICE = 3n
const hash = (n: number) => n.toString(16).padStart(64, '0')
const task = (n: number) => ({ taskId: `t${n}`, units: 2, inputHash: hash(n), outputHash: hash(n + 1000) })
const log = logger('test')

/** A provider's payment side on its own database. */
function providerSide(ledger: Ledger) {
  const db = openDb(':memory:')
  const payments = new ProviderPayments(db, ledger, log, { redeemThreshold: 10n ** 30n })
  return { db, payments, settlement: new ProviderSettlement(db, payments, log) }
}

describe('early settlement against a real anvil: payees, releases, closeJob', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let requester: Ledger
  let worker: Ledger
  let idle: Ledger

  beforeAll(async () => {
    env = await startTestChain()
    ;[requester, worker, idle] = await Promise.all(
      TEST_KEYS.map((k) =>
        createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments }),
      ),
    )
    await requester.faucet(requester.address, 10n ** 9n)
  })
  afterAll(() => env?.cleanup())

  /** The requester's payment side on its own database, with job `id`'s escrow opened for `units`. */
  async function requesterSide(id: string, units: bigint) {
    const db = openDb(':memory:')
    db.prepare(
      "INSERT INTO jobs (id, spec, status, created_at, updated_at) VALUES (?, '{}', 'running', 0, 0)",
    ).run(id)
    const pay = new RequesterPayments(db, requester, log)
    const settle = new RequesterSettlement(db, pay, log)
    const escrow = await pay.ensureEscrow(id, PRICE, units, Date.now() + 3_600_000)
    return { pay, settle, escrow }
  }

  it('pays the worker what its vouchers cover and refunds the rest at once; a wrong or early request is refused', async () => {
    const { pay, settle, escrow } = await requesterSide('j', 1000n)
    const escrowJob = escrow.escrowJob.toString()
    const w = providerSide(worker)
    const i = providerSide(idle)
    expect(await w.settlement.isPayee(escrowJob)).toBe(false)
    await settle.addPayees('j', [
      { eth: worker.address, peer: 'worker' },
      { eth: idle.address, peer: 'idle' },
      { eth: worker.address, peer: 'worker' },
    ])
    await settle.addPayees('j', [{ eth: worker.address, peer: 'worker' }]) // known: no transaction
    expect(settle.payees('j').map((p) => p.peer)).toEqual(['worker', 'idle'])
    expect(await w.settlement.isPayee(escrowJob)).toBe(true)
    expect((await requester.jobInfo(escrow.escrowJob)).payees).toBe(2)

    const agreement = { escrow: pay.escrowRef(escrow) } as Agreement
    for (const n of [1, 2, 3]) {
      w.payments.recordTask(agreement, task(n))
      pay.recordAccepted('j', worker.address, task(n))
    }
    const requests: ReleaseRequest[] = []
    const ask = (payee: { eth: string }, req: ReleaseRequest) => {
      requests.push(req)
      return (payee.eth === worker.address ? w : i).settlement.release(req)
    }
    // Results delivered but not vouchered: the worker does not release (the requester retries, then gives up).
    const early = await settle.close('j', ask)
    expect(early).toMatchObject({ status: 'open' })
    expect(early?.status === 'open' && early.reason).toContain('not covered by a voucher yet')
    expect(w.settlement.released(escrowJob)).toBe(false)
    // A request signed by someone else than the job's requester is refused, the job stays workable.
    const forged = {
      ...requests[0],
      signature: await worker.signReleaseRequest({
        jobId: escrow.escrowJob,
        provider: worker.address,
        expires: requests[0].expires,
      }),
    }
    expect(await w.settlement.release(forged)).toMatchObject({ t: 'release-refused', retry: false })

    await w.payments.acceptVoucher(agreement, (await pay.nextVoucher('j', worker.address))!)
    const [r0, w0] = [await requester.balance(), await worker.balance()]
    const done = await settle.close('j', ask)
    expect(done).toMatchObject({
      status: 'settled',
      refund: String((1000n - 6n) * PRICE),
      paid: String(6n * PRICE),
    })
    expect(await requester.balance()).toBe(r0 + (1000n - 6n) * PRICE)
    expect(await worker.balance()).toBe(w0 + 6n * PRICE)
    expect(pay.accounts('j')?.settlement).toEqual(done)
    expect(w.settlement.released(escrowJob)).toBe(true)
    expect(i.settlement.released(escrowJob)).toBe(true)
    expect(await settle.close('j', ask)).toEqual(done) // once only

    // The worker's own redemption finds the job closed, records the payment made at closing and stops.
    expect(await w.payments.redeem(escrowJob)).toBeUndefined()
    expect(w.payments.heldOf(escrowJob)?.unredeemed).toBe('0')
    const proof = w.payments.proofOf('t2')
    expect(proof).toBeDefined()
    expect(await worker.verifyReceipt(proof!.receipt, proof!.root, proof!.proof)).toBe(true)
  })

  it('a release never claims more than the requester accepted', async () => {
    const { pay, settle, escrow } = await requesterSide('k', 100n)
    await settle.addPayees('k', [{ eth: worker.address, peer: 'worker' }])
    pay.recordAccepted('k', worker.address, task(1))
    const greedy = async (_: unknown, req: ReleaseRequest) => {
      const release = {
        jobId: escrow.escrowJob,
        provider: worker.address,
        cumulativeUnits: 50n,
        receiptsRoot: `0x${hash(9)}` as const,
      }
      return {
        t: 'release' as const,
        escrowJob: req.escrowJob,
        cumulativeUnits: '50',
        receiptsRoot: release.receiptsRoot,
        signature: await worker.signRelease(release),
      }
    }
    const s = await settle.close('k', greedy)
    expect(s).toMatchObject({ status: 'open' })
    expect(s?.status === 'open' && s.reason).toContain('claims 50 units, we accepted 2')
    expect((await requester.jobInfo(escrow.escrowJob)).closed).toBe(false)
  })
})
