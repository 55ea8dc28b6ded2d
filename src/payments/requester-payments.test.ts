import { type Address, type Hex, zeroAddress } from 'viem'
import { describe, expect, it } from 'vitest'
import { buildReceiptTree, type Ledger } from '../ledger/index.js'
import { logger } from '../log.js'
import { openDb } from '../store/db.js'
import { toReceipt } from './receipt.js'
import { RequesterPayments } from './requester-payments.js'

const provider = '0x00000000000000000000000000000000000000aa' as Address
const hash = (n: number) => n.toString(16).padStart(64, '0')

/** A stand-in for the chain client: only what voucher bookkeeping touches (signing is not under test). */
const fakeLedger = {
  chainId: 31337,
  address: zeroAddress,
  deployments: { escrow: zeroAddress },
  signVoucher: async () => `0x${'11'.repeat(65)}` as Hex,
} as unknown as Ledger

function setup() {
  const db = openDb(':memory:')
  db.prepare(
    "INSERT INTO jobs (id, spec, status, created_at, updated_at, escrow_job, escrow_price) VALUES ('j', '{}', 'running', 0, 0, '7', '3')",
  ).run()
  const pay = new RequesterPayments(db, fakeLedger, logger('test'))
  const accept = (n: number) =>
    pay.recordAccepted('j', provider, {
      taskId: `t${n}`,
      units: 2,
      inputHash: hash(n),
      outputHash: hash(n + 1000),
    })
  const rootOf = (ns: number[]) =>
    buildReceiptTree(
      ns.map((n) =>
        toReceipt(7n, provider, {
          taskId: `t${n}`,
          units: 2,
          inputHash: hash(n),
          outputHash: hash(n + 1000),
        }),
      ),
    ).root
  return { pay, accept, rootOf }
}

describe('RequesterPayments vouchers', () => {
  it('covers every accepted task once, whatever order acknowledgements arrive in', async () => {
    const { pay, accept, rootOf } = setup()
    accept(1)
    accept(2)
    const v1 = (await pay.nextVoucher('j', provider))!
    expect(v1.cumulativeUnits).toBe('4')
    expect(v1.cumulativeAmount).toBe('12')
    accept(3)
    // v1 not acknowledged yet: v2 carries t1, t2 again and t3
    const v2 = (await pay.nextVoucher('j', provider))!
    expect(v2.taskIds).toEqual(['t1', 't2', 't3'])
    expect(v2.cumulativeUnits).toBe('6')
    expect(v2.receiptsRoot).toBe(rootOf([1, 2, 3]))
    pay.acknowledge('j', provider, 4n)
    pay.acknowledge('j', provider, 6n) // overlaps v1: t1, t2 must not count twice
    expect(await pay.nextVoucher('j', provider)).toBeUndefined()
    accept(4)
    const v3 = (await pay.nextVoucher('j', provider))!
    expect(v3.taskIds).toEqual(['t4'])
    expect(v3.cumulativeUnits).toBe('8')
    expect(v3.receiptsRoot).toBe(rootOf([1, 2, 3, 4]))
  })

  it('resends unacknowledged receipts (a voucher lost with its stream is made good)', async () => {
    const { pay, accept, rootOf } = setup()
    accept(1)
    await pay.nextVoucher('j', provider) // lost: never acknowledged
    accept(2)
    const v = (await pay.nextVoucher('j', provider))!
    expect(v.taskIds).toEqual(['t1', 't2'])
    expect(v.receiptsRoot).toBe(rootOf([1, 2]))
    pay.acknowledge('j', provider, 999n) // an unknown acknowledgement changes nothing
    expect((await pay.nextVoucher('j', provider))!.cumulativeUnits).toBe('4')
  })
})

describe('RequesterPayments voucher pacing', () => {
  it('waits 200 ms before the first voucher and up to 1 s once vouchers get expensive', async () => {
    const db = openDb(':memory:')
    db.prepare(
      "INSERT INTO jobs (id, spec, status, created_at, updated_at, escrow_job, escrow_price) VALUES ('j', '{}', 'running', 0, 0, '7', '3')",
    ).run()
    // a voucher that takes ≥ 100 ms to sign: 20× that is past the 1 s cap, however loaded the machine
    const slowLedger = {
      ...fakeLedger,
      signVoucher: async () => {
        await new Promise((r) => setTimeout(r, 100))
        return `0x${'11'.repeat(65)}` as Hex
      },
    } as unknown as Ledger
    const pay = new RequesterPayments(db, slowLedger, logger('test'))
    expect(pay.voucherDelayMs('j', provider)).toBe(200)
    pay.recordAccepted('j', provider, { taskId: 't1', units: 2, inputHash: hash(1), outputHash: hash(2) })
    expect(await pay.nextVoucher('j', provider)).toBeDefined()
    expect(pay.voucherDelayMs('j', provider)).toBe(1000)
    expect(pay.voucherDelayMs('j', '0x00000000000000000000000000000000000000bb')).toBe(200)
  })
})
