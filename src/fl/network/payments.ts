import { type Address, getAddress, type Hash, type Hex } from 'viem'
import type { Voucher } from '../../ledger/voucher.js'
import { logger } from '../../log.js'
import { FlPaymentError } from './errors.js'
import type { DataPayment } from './protocol.js'
import type { FlJobState } from './store.js'

const log = logger('fl:payments')

/** What the coordinator (model owner) needs from its ledger client to pay the data budget. */
export interface FlOwnerLedger {
  chainId: number
  deployments: { escrow: Address }
  openJob(p: {
    budget: bigint
    pricePerUnit: bigint
    deadline: bigint
    specHash?: Hex
  }): Promise<{ jobId: bigint }>
  signVoucher(v: Voucher): Promise<Hex>
  /** Names providers payees of an escrow job (only payees can be paid); duplicates are skipped. */
  addPayees(jobId: bigint, providers: readonly Address[]): Promise<unknown>
}

/** What a data holder needs from its ledger client to redeem its voucher. */
export interface FlHolderLedger {
  /** The holder's own address (sent as its payee when it joins). */
  address: Address
  chainId: number
  deployments: { escrow: Address }
  redeem(v: Voucher, signature: Hex): Promise<{ txHash: Hash; paid: bigint }>
}

/**
 * Locks the job's data budget in a JobEscrow job with price 1 per unit (one unit = one token base unit of a
 * share), redeemable until `deadline` + the escrow's redeem window.
 */
export async function openDataEscrow(
  ledger: FlOwnerLedger,
  budget: bigint,
  deadline: bigint,
  specHash: Hex,
): Promise<string> {
  const { jobId } = await ledger.openJob({ budget, pricePerUnit: 1n, deadline, specHash })
  log.info({ jobId: String(jobId), budget: String(budget) }, 'data budget locked in escrow')
  return jobId.toString()
}

/**
 * Signs one cumulative voucher per payee for the holders' final payouts (summed per address when several
 * peers name the same one). `receiptsRoot` is the lineage root: the voucher, and the `ContributionRecorded`
 * event it produces, commit to the exact per-round participants, commitments and shares the payout came from.
 * Peers that gave no payee get nothing signed; their part stays in escrow for the owner to reclaim.
 */
export async function signDataVouchers(
  ledger: FlOwnerLedger,
  state: FlJobState,
  payouts: Record<string, string>,
): Promise<Record<string, DataPayment>> {
  const p = state.payments
  if (!p || !state.lineage) throw new FlPaymentError('The job has no data escrow or no lineage to pay from')
  const byPayee = new Map<Address, bigint>()
  for (const [peer, amount] of Object.entries(payouts)) {
    const payee = p.payees[peer]
    if (!payee || BigInt(amount) === 0n) continue
    const a = getAddress(payee)
    byPayee.set(a, (byPayee.get(a) ?? 0n) + BigInt(amount))
  }
  const receiptsRoot = `0x${state.lineage.root}` as Hex
  // The escrow pays payees only: name the holders before their vouchers are worth anything.
  if (byPayee.size) await ledger.addPayees(BigInt(p.escrowJobId), [...byPayee.keys()])
  const signed = new Map<Address, DataPayment>()
  for (const [provider, amount] of byPayee) {
    const v: Voucher = {
      jobId: BigInt(p.escrowJobId),
      provider,
      cumulativeUnits: amount,
      cumulativeAmount: amount,
      receiptsRoot,
    }
    signed.set(provider, {
      chainId: ledger.chainId,
      escrow: ledger.deployments.escrow,
      jobId: p.escrowJobId,
      provider,
      cumulativeUnits: amount.toString(),
      cumulativeAmount: amount.toString(),
      receiptsRoot,
      signature: await ledger.signVoucher(v),
    })
  }
  const out: Record<string, DataPayment> = {}
  for (const peer of Object.keys(payouts)) {
    const payee = p.payees[peer]
    const v = payee && signed.get(getAddress(payee))
    if (v) out[peer] = v
  }
  return out
}

/**
 * A holder redeems the voucher it received (the coordinator need not be online): checks that it pays this
 * holder's address on the escrow and chain the holder uses, then sends the redemption itself.
 */
export async function redeemDataPayment(
  ledger: FlHolderLedger,
  payment: DataPayment,
): Promise<{ txHash: Hash; paid: bigint }> {
  if (getAddress(payment.provider) !== ledger.address) {
    throw new FlPaymentError(`Voucher pays ${payment.provider}, not this holder (${ledger.address})`)
  }
  if (
    payment.chainId !== ledger.chainId ||
    getAddress(payment.escrow) !== getAddress(ledger.deployments.escrow)
  ) {
    throw new FlPaymentError(
      `Voucher is for escrow ${payment.escrow} on chain ${payment.chainId}, not this ledger's`,
      {
        metaMessages: ['Join with a ledger on the same chain and deployments as the job owner.'],
      },
    )
  }
  const v: Voucher = {
    jobId: BigInt(payment.jobId),
    provider: getAddress(payment.provider),
    cumulativeUnits: BigInt(payment.cumulativeUnits),
    cumulativeAmount: BigInt(payment.cumulativeAmount),
    receiptsRoot: payment.receiptsRoot as Hex,
  }
  return ledger.redeem(v, payment.signature as Hex)
}
