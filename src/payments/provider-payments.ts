import { getAddress, type Hex, recoverAddress } from 'viem'
import { MutiraoError } from '../errors.js'
import { JobClosedError, StaleVoucherError } from '../ledger/errors.js'
import type { JobInfo } from '../ledger/escrow-actions.js'
import type { Ledger } from '../ledger/ledger.js'
import { receiptLeaf, receiptRootOfLeaves } from '../ledger/receipts.js'
import { hashVoucher, type Voucher } from '../ledger/voucher.js'
import type { Logger } from '../log.js'
import type { Agreement, EscrowRef } from '../protocols/market-messages.js'
import type { VoucherMessage } from '../protocols/task-messages.js'
import type { Db } from '../store/db.js'
import { recordClosedJob } from './closed-job.js'
import { proofOf, provableTasks } from './provider-proofs.js'
import { type TaskRecord, toReceipt } from './receipt.js'

/** An agreement whose escrow cannot pay, or a voucher that does not check out. */
export class PaymentRefusedError extends MutiraoError {
  override name = 'PaymentRefusedError'
}

/** A voucher the provider holds, with what it has redeemed of it. */
export interface HeldVoucher {
  escrowJob: string
  requester: string
  price: string
  seq: number
  voucher: VoucherMessage
  redeemedAmount: string
  unredeemed: string
}

/** Options of the provider's payment side. */
export interface ProviderPaymentsOptions {
  /** Redeem once the unredeemed amount reaches this many token base units (and always at job end). */
  redeemThreshold: bigint
  /** How often to look for vouchers to redeem. */
  intervalMs?: number
  /**
   * Redeem vouchers on-chain ourselves (default true). A provider with no gas (a browser tab) sets false: it is
   * paid when the requester closes the job with its signed release, or by anyone redeeming its vouchers.
   */
  selfRedeem?: boolean
}

/**
 * The provider's side of payment: refuses agreements whose escrow cannot pay, records a receipt for each
 * task it completes, checks every voucher against its own receipts (signature, amounts, Merkle root),
 * and redeems the latest voucher on-chain when the unredeemed amount passes a threshold and at job end —
 * which needs nothing from the requester, so a vanished requester cannot withhold payment.
 */
interface ReceiptRow {
  task_id: string
  units: number
  input_hash: string
  output_hash: string
}

export class ProviderPayments {
  readonly #jobs = new Map<string, JobInfo>()
  /** Leaves and units already covered by vouchers, per escrow job: each voucher hashes only new receipts. */
  readonly #covered = new Map<string, { leaves: Hex[]; units: bigint }>()
  readonly #coveredRows
  readonly #receiptById
  readonly #insertReceipt
  readonly #uncovered
  /** Receipts not yet covered by a voucher, per escrow job (counted once, then kept up to date). */
  readonly #uncoveredCount = new Map<string, number>()
  #timer?: NodeJS.Timeout
  #redeeming = new Set<string>()
  /** The voucher check in progress per escrow job (see acceptVoucher). */
  readonly #checking = new Map<string, Promise<void>>()

  constructor(
    private readonly db: Db,
    readonly ledger: Ledger,
    private readonly log: Logger,
    private readonly options: ProviderPaymentsOptions,
  ) {
    this.#coveredRows = db.prepare(
      'SELECT task_id, units, input_hash, output_hash FROM provider_receipts WHERE escrow_job = ? AND covered_seq IS NOT NULL',
    )
    this.#insertReceipt = db.prepare(
      'INSERT OR IGNORE INTO provider_receipts (escrow_job, task_id, units, input_hash, output_hash) VALUES (?, ?, ?, ?, ?)',
    )
    this.#uncovered = db.prepare(
      'SELECT COUNT(*) AS n FROM provider_receipts WHERE escrow_job = ? AND covered_seq IS NULL',
    )
    this.#receiptById = db.prepare(
      'SELECT task_id, units, input_hash, output_hash, covered_seq FROM provider_receipts WHERE escrow_job = ? AND task_id = ?',
    )
  }

  /** Refuse an agreement unless its escrow is on our chain and contract, open, priced as agreed and funded. */
  async vet(agreement: Agreement): Promise<void> {
    const ref = agreement.escrow
    if (!ref) throw new PaymentRefusedError('agreement names no escrow: unpaid work is refused')
    if (ref.chainId !== this.ledger.chainId)
      throw new PaymentRefusedError(`escrow is on chain ${ref.chainId}, we settle on ${this.ledger.chainId}`)
    if (getAddress(ref.escrow) !== getAddress(this.ledger.deployments.escrow))
      throw new PaymentRefusedError('escrow contract is not the one we trust')
    const job = await this.ledger.jobInfo(BigInt(ref.jobId))
    if (job.closed) throw new PaymentRefusedError(`escrow job ${ref.jobId} is closed`)
    if (job.pricePerUnit !== BigInt(agreement.pricePerUnit))
      throw new PaymentRefusedError('escrow price differs from the agreement')
    if (agreement.requesterEth && getAddress(agreement.requesterEth) !== getAddress(job.requester)) {
      throw new PaymentRefusedError('escrow job belongs to another requester')
    }
    if (job.budget - job.paid < job.pricePerUnit * BigInt(agreement.costPerSample)) {
      throw new PaymentRefusedError(`escrow job ${ref.jobId} cannot cover even one sample`)
    }
    if (Number(job.redeemableUntil) * 1000 < agreement.deadline)
      throw new PaymentRefusedError('escrow closes before the agreement deadline')
    this.#jobs.set(ref.jobId, job)
  }

  /** Record a completed task of an agreement (a receipt the provider can later prove). */
  recordTask(agreement: Agreement, task: TaskRecord): void {
    if (!agreement.escrow) return
    const jobId = agreement.escrow.jobId
    const res = this.#insertReceipt.run(
      jobId,
      task.taskId,
      Number(task.units),
      task.inputHash,
      task.outputHash,
    )
    const n = this.#uncoveredCount.get(jobId)
    if (res.changes === 1 && n !== undefined) this.#uncoveredCount.set(jobId, n + 1)
  }

  /** Tasks of an escrow job completed but not yet covered by a voucher (checked before every task). */
  uncovered(escrowJob: string): number {
    let n = this.#uncoveredCount.get(escrowJob)
    if (n === undefined) {
      n = (this.#uncovered.get(escrowJob) as { n: number }).n
      this.#uncoveredCount.set(escrowJob, n)
    }
    return n
  }

  /**
   * Check a voucher against our own receipts and the escrow terms, then keep it. Throws
   * PaymentRefusedError when anything differs (the requester is then not served further).
   */
  async acceptVoucher(agreement: Agreement, msg: VoucherMessage): Promise<void> {
    const ref = agreement.escrow
    if (!ref || msg.escrowJob !== ref.jobId)
      throw new PaymentRefusedError('voucher is for another escrow job')
    // Vouchers of one escrow job (a requester's old and new stream may deliver some at once) are checked one
    // after the other: each starts from the receipts that the one before it covered.
    const before = this.#checking.get(ref.jobId) ?? Promise.resolve()
    const check = before.catch(() => {}).then(() => this.#checkVoucher(ref, msg))
    this.#checking.set(ref.jobId, check)
    try {
      await check
    } finally {
      if (this.#checking.get(ref.jobId) === check) this.#checking.delete(ref.jobId)
    }
  }

  async #checkVoucher(ref: EscrowRef, msg: VoucherMessage): Promise<void> {
    const job = this.#jobs.get(ref.jobId) ?? (await this.ledger.jobInfo(BigInt(ref.jobId)))
    const me = this.ledger.address
    const voucher: Voucher = {
      jobId: BigInt(ref.jobId),
      provider: me,
      cumulativeUnits: BigInt(msg.cumulativeUnits),
      cumulativeAmount: BigInt(msg.cumulativeAmount),
      receiptsRoot: msg.receiptsRoot as Hex,
    }
    const signer = await recoverAddress({
      hash: hashVoucher(voucher, this.ledger.deployments.escrow, this.ledger.chainId),
      signature: msg.signature as Hex,
    })
    if (getAddress(signer) !== getAddress(job.requester))
      throw new PaymentRefusedError('voucher is not signed by the escrow job requester')
    const seq = (this.#held(ref.jobId)?.seq ?? 0) + 1
    const leafOf = (r: ReceiptRow) =>
      receiptLeaf(
        toReceipt(BigInt(ref.jobId), me, {
          taskId: r.task_id,
          units: r.units,
          inputHash: r.input_hash,
          outputHash: r.output_hash,
        }),
      )
    let covered = this.#covered.get(ref.jobId)
    if (!covered) {
      const rows = this.#coveredRows.all(ref.jobId) as ReceiptRow[]
      covered = { leaves: rows.map(leafOf), units: rows.reduce((a, r) => a + BigInt(r.units), 0n) }
      this.#covered.set(ref.jobId, covered)
    }
    if (new Set(msg.taskIds).size !== msg.taskIds.length)
      throw new PaymentRefusedError('voucher lists a task twice')
    // Ids already covered by an earlier voucher are fine (a voucher resent before our ack arrived).
    const fresh: ReceiptRow[] = []
    for (const id of msg.taskIds) {
      const r = this.#receiptById.get(ref.jobId, id) as
        | (ReceiptRow & { covered_seq: number | null })
        | undefined
      if (!r) throw new PaymentRefusedError(`voucher covers task ${id} that we did not run`)
      if (r.covered_seq === null) fresh.push(r)
    }
    const leaves = [...covered.leaves, ...fresh.map(leafOf)]
    const units = covered.units + fresh.reduce((a, r) => a + BigInt(r.units), 0n)
    if (voucher.cumulativeUnits !== units) {
      throw new PaymentRefusedError(`voucher counts ${voucher.cumulativeUnits} units, our receipts ${units}`)
    }
    if (voucher.cumulativeAmount !== units * job.pricePerUnit)
      throw new PaymentRefusedError('voucher amount is not units × price')
    if ((await receiptRootOfLeaves(leaves)).toLowerCase() !== voucher.receiptsRoot.toLowerCase()) {
      throw new PaymentRefusedError('voucher receipts root does not match our receipts')
    }
    const mark = this.db.prepare(
      'UPDATE provider_receipts SET covered_seq = ? WHERE escrow_job = ? AND task_id = ? AND covered_seq IS NULL',
    )
    let marked = 0
    this.db.transaction(() => {
      for (const r of fresh) marked += mark.run(seq, ref.jobId, r.task_id).changes
      this.db
        .prepare(
          `INSERT INTO provider_vouchers (escrow_job, requester_eth, price, seq, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(escrow_job) DO UPDATE SET seq = excluded.seq, body = excluded.body, updated_at = excluded.updated_at`,
        )
        .run(ref.jobId, job.requester, job.pricePerUnit.toString(), seq, JSON.stringify(msg), Date.now())
    })()
    this.#covered.set(ref.jobId, { leaves, units })
    const n = this.#uncoveredCount.get(ref.jobId)
    if (n !== undefined) this.#uncoveredCount.set(ref.jobId, n - marked)
  }

  /** The requester's stream for this escrow job ended: redeem what is held. */
  jobEnded(escrowJob: string): void {
    this.db.prepare('UPDATE provider_vouchers SET job_ended = 1 WHERE escrow_job = ?').run(escrowJob)
    void this.redeemDue()
  }

  /** Vouchers held, with unredeemed amounts. */
  held(): HeldVoucher[] {
    const rows = this.db
      .prepare('SELECT escrow_job FROM provider_vouchers ORDER BY updated_at DESC')
      .all() as { escrow_job: string }[]
    return rows.map((r) => this.#held(r.escrow_job)!)
  }

  /** The voucher held for one escrow job, if any. */
  heldOf(escrowJob: string): HeldVoucher | undefined {
    return this.#held(escrowJob)
  }

  #held(escrowJob: string): HeldVoucher | undefined {
    const r = this.db.prepare('SELECT * FROM provider_vouchers WHERE escrow_job = ?').get(escrowJob) as
      | {
          escrow_job: string
          requester_eth: string
          price: string
          seq: number
          body: string
          redeemed_amount: string
        }
      | undefined
    if (!r) return undefined
    const voucher = JSON.parse(r.body) as VoucherMessage
    return {
      escrowJob: r.escrow_job,
      requester: r.requester_eth,
      price: r.price,
      seq: r.seq,
      voucher,
      redeemedAmount: r.redeemed_amount,
      unredeemed: (BigInt(voucher.cumulativeAmount) - BigInt(r.redeemed_amount)).toString(),
    }
  }

  /** Redeem every held voucher that is due (threshold reached or job ended). */
  async redeemDue(): Promise<void> {
    if (this.options.selfRedeem === false) return
    const rows = this.db
      .prepare('SELECT escrow_job, job_ended FROM provider_vouchers WHERE redeemed_seq < seq')
      .all() as { escrow_job: string; job_ended: number }[]
    for (const row of rows) {
      const held = this.#held(row.escrow_job)!
      if (!row.job_ended && BigInt(held.unredeemed) < this.options.redeemThreshold) continue
      await this.redeem(row.escrow_job).catch((err) =>
        this.log.warn(
          { escrowJob: row.escrow_job, err: (err as Error).message },
          'redeem failed; will retry',
        ),
      )
    }
  }

  /** Redeem the latest voucher of an escrow job now. */
  async redeem(escrowJob: string): Promise<{ paid: bigint; txHash: string } | undefined> {
    if (this.#redeeming.has(escrowJob)) return undefined
    this.#redeeming.add(escrowJob)
    try {
      const held = this.#held(escrowJob)
      if (!held || BigInt(held.unredeemed) === 0n) return undefined
      const v = held.voucher
      let redeemed: { paid: bigint; txHash: string }
      try {
        redeemed = await this.ledger.redeem(
          {
            jobId: BigInt(escrowJob),
            provider: this.ledger.address,
            cumulativeUnits: BigInt(v.cumulativeUnits),
            cumulativeAmount: BigInt(v.cumulativeAmount),
            receiptsRoot: v.receiptsRoot as Hex,
          },
          v.signature as Hex,
        )
      } catch (err) {
        if (err instanceof JobClosedError) {
          await recordClosedJob(this.db, this.ledger, held, this.log)
          return undefined
        }
        if (!(err instanceof StaleVoucherError)) throw err
        // The requester already redeemed this voucher or a later one for us (RequesterPayments.redeemFor):
        // nothing is left to claim with it, so stop retrying.
        this.db
          .prepare('UPDATE provider_vouchers SET redeemed_seq = ?, redeemed_amount = ? WHERE escrow_job = ?')
          .run(held.seq, v.cumulativeAmount, escrowJob)
        this.log.info({ escrowJob }, 'voucher already redeemed on our behalf')
        return undefined
      }
      const { paid, txHash } = redeemed
      this.db.transaction(() => {
        this.db
          .prepare(
            'INSERT OR REPLACE INTO provider_redemptions (escrow_job, seq, receipts_root, cumulative_units, paid, tx_hash, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(escrowJob, held.seq, v.receiptsRoot, v.cumulativeUnits, paid.toString(), txHash, Date.now())
        this.db
          .prepare('UPDATE provider_vouchers SET redeemed_seq = ?, redeemed_amount = ? WHERE escrow_job = ?')
          .run(held.seq, v.cumulativeAmount, escrowJob)
      })()
      this.log.info({ escrowJob, paid: paid.toString(), txHash }, 'voucher redeemed')
      return { paid, txHash }
    } finally {
      this.#redeeming.delete(escrowJob)
    }
  }

  /** Ids of the most recent tasks covered by a redeemed voucher (the ones `proofOf` can prove). */
  provableTasks(limit = 20) {
    return provableTasks(this.db, limit)
  }

  /** The receipt of one task, the root of the first redemption covering it, and its Merkle proof. */
  proofOf(taskId: string) {
    return proofOf(this.db, this.ledger.address, taskId)
  }

  /** Start the periodic redeemer. */
  start(): void {
    this.#timer = setInterval(() => void this.redeemDue(), this.options.intervalMs ?? 2000)
    void this.redeemDue()
  }

  /** Stop the redeemer after one last pass. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    await this.redeemDue()
  }
}
