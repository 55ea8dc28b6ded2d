import type { Hex } from 'viem'
import type { Ledger } from '../ledger/ledger.js'
import type { Logger } from '../log.js'
import type { Db } from '../store/db.js'

/** The parts of a held voucher (ProviderPayments.heldOf) this needs. */
export interface ClosedVoucher {
  escrowJob: string
  seq: number
  voucher: { cumulativeUnits: string; cumulativeAmount: string }
}

/**
 * A held voucher's job was closed on-chain before the provider redeemed it: the requester settled it with
 * the provider's release (closeJob paid the release, so the voucher's amount), or reclaimed it after the
 * redeem window. Records what the chain says was paid, with the transaction that recorded the receipts root
 * (so receipt proofs keep working), and stops retrying the voucher.
 */
export async function recordClosedJob(
  db: Db,
  ledger: Ledger,
  held: ClosedVoucher,
  log: Logger,
): Promise<bigint> {
  const jobId = BigInt(held.escrowJob)
  const { units, amount } = await ledger.redeemed(jobId, ledger.address)
  const v = held.voucher
  const [last] = (await ledger.contributions({ jobId, provider: ledger.address })).slice(-1)
  db.transaction(() => {
    if (last && last.cumulativeUnits === units && units >= BigInt(v.cumulativeUnits)) {
      db.prepare(
        'INSERT OR IGNORE INTO provider_redemptions (escrow_job, seq, receipts_root, cumulative_units, paid, tx_hash, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        held.escrowJob,
        held.seq,
        last.receiptsRoot as Hex,
        units.toString(),
        last.amount.toString(),
        last.txHash,
        Date.now(),
      )
    }
    db.prepare('UPDATE provider_vouchers SET redeemed_seq = ?, redeemed_amount = ? WHERE escrow_job = ?').run(
      held.seq,
      (amount < BigInt(v.cumulativeAmount) ? amount : BigInt(v.cumulativeAmount)).toString(),
      held.escrowJob,
    )
  })()
  if (units >= BigInt(v.cumulativeUnits))
    log.info(
      { escrowJob: held.escrowJob, units: units.toString() },
      'escrow job closed; our voucher was paid at closing',
    )
  else
    log.warn(
      { escrowJob: held.escrowJob, paidUnits: units.toString(), voucherUnits: v.cumulativeUnits },
      'escrow job closed before our voucher was redeemed in full',
    )
  return amount
}
