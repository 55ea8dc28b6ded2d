import { type Address, getAddress, type Hex } from 'viem'
import { type Ledger, receiptLeaf, receiptRootOfLeaves, StaleVoucherError } from '../ledger/index.js'
import type { Logger } from '../log.js'
import type { EscrowRef } from '../protocols/market-messages.js'
import type { VoucherMessage } from '../protocols/task-messages.js'
import type { Db } from '../store/db.js'
import { type TaskRecord, toReceipt } from './receipt.js'
import type { Settlement } from './settlement.js'

/** The escrow of a job: its on-chain id and the price every provider of the job is paid. */
export interface JobEscrow {
  escrowJob: bigint
  pricePerUnit: bigint
}

/**
 * The requester's side of payment: opens one escrow per job (uniform clearing price), records each
 * accepted task as a receipt, and signs cumulative EIP-712 vouchers covering them.
 */
interface ReceiptRow {
  task_id: string
  units: number
  input_hash: string
  output_hash: string
}

export class RequesterPayments {
  /**
   * Per (job, provider): leaves and units of the receipts acknowledged vouchers cover, and the leaves of those
   * not yet acknowledged — each receipt is hashed once, however many vouchers repeat it.
   */
  readonly #acked = new Map<
    string,
    { leaves: Hex[]; units: bigint; ids: Set<string>; openLeaves: Map<string, Hex> }
  >()
  /** Vouchers sent and not yet acknowledged, per (job, provider), with the receipts each covered. */
  readonly #sent = new Map<
    string,
    { units: bigint; receipts: { id: string; leaf: Hex; units: bigint }[] }[]
  >()
  /** How long the last voucher of each (job, provider) took to build and sign, in ms. */
  readonly #voucherCost = new Map<string, number>()
  readonly #rows
  readonly #markVouchered
  readonly #saveVoucher
  readonly #insertReceipt

  constructor(
    private readonly db: Db,
    readonly ledger: Ledger,
    private readonly log: Logger,
  ) {
    this.#rows = db.prepare(
      'SELECT task_id, units, input_hash, output_hash FROM requester_receipts WHERE job_id = ? AND provider_eth = ? AND vouchered = ? ORDER BY rowid',
    )
    this.#markVouchered = db.prepare(
      'UPDATE requester_receipts SET vouchered = 1 WHERE job_id = ? AND task_id = ?',
    )
    this.#saveVoucher = db.prepare(
      'INSERT OR REPLACE INTO requester_vouchers (job_id, provider_eth, body) VALUES (?, ?, ?)',
    )
    this.#insertReceipt = db.prepare(
      'INSERT OR IGNORE INTO requester_receipts (job_id, provider_eth, task_id, units, input_hash, output_hash) VALUES (?, ?, ?, ?, ?, ?)',
    )
  }

  /** What demands announce: the chain, escrow contract and payer. */
  get paymentTerms(): { chainId: number; escrow: Address; payer: Address } {
    return {
      chainId: this.ledger.chainId,
      escrow: this.ledger.deployments.escrow,
      payer: this.ledger.address,
    }
  }

  escrowOf(jobId: string): JobEscrow | undefined {
    const row = this.db.prepare('SELECT escrow_job, escrow_price FROM jobs WHERE id = ?').get(jobId) as
      | { escrow_job: string | null; escrow_price: string | null }
      | undefined
    return row?.escrow_job
      ? { escrowJob: BigInt(row.escrow_job), pricePerUnit: BigInt(row.escrow_price!) }
      : undefined
  }

  /**
   * What a job's escrow holds, in base units: the budget locked, the accepted work (receipts × price, what
   * vouchers pay), what was reclaimed, and how it was closed; undefined before the escrow is opened.
   */
  accounts(
    jobId: string,
  ): { budget?: bigint; accepted: bigint; reclaimed?: bigint; settlement?: Settlement } | undefined {
    const escrow = this.escrowOf(jobId)
    if (!escrow) return undefined
    const row = this.db
      .prepare('SELECT escrow_budget, reclaimed, settlement FROM jobs WHERE id = ?')
      .get(jobId) as { escrow_budget: string | null; reclaimed: string | null; settlement: string | null }
    const { units } = this.db
      .prepare('SELECT COALESCE(SUM(units), 0) AS units FROM requester_receipts WHERE job_id = ?')
      .get(jobId) as { units: number }
    return {
      budget: row.escrow_budget ? BigInt(row.escrow_budget) : undefined,
      accepted: BigInt(units) * escrow.pricePerUnit,
      reclaimed: row.reclaimed ? BigInt(row.reclaimed) : undefined,
      settlement: row.settlement ? (JSON.parse(row.settlement) as Settlement) : undefined,
    }
  }

  /**
   * The job's escrow, opened on first use with `pricePerUnit` and a budget for `units` at that price,
   * locked until `deadlineMs` (+ the contract's redeem window).
   */
  async ensureEscrow(
    jobId: string,
    pricePerUnit: bigint,
    units: bigint,
    deadlineMs: number,
  ): Promise<JobEscrow> {
    const existing = this.escrowOf(jobId)
    if (existing) return existing
    const budget = units * pricePerUnit
    const { jobId: escrowJob, txHash } = await this.ledger.openJob({
      budget,
      pricePerUnit,
      deadline: BigInt(Math.ceil(deadlineMs / 1000)),
      permit: true,
    })
    this.db
      .prepare('UPDATE jobs SET escrow_job = ?, escrow_price = ?, escrow_budget = ? WHERE id = ?')
      .run(escrowJob.toString(), pricePerUnit.toString(), budget.toString(), jobId)
    this.log.info(
      { job: jobId, escrowJob: escrowJob.toString(), budget: budget.toString(), txHash },
      'escrow opened',
    )
    return { escrowJob, pricePerUnit }
  }

  /** The agreement's escrow reference for a job's escrow. */
  escrowRef(escrow: JobEscrow): EscrowRef {
    return {
      chainId: this.ledger.chainId,
      escrow: this.ledger.deployments.escrow,
      jobId: escrow.escrowJob.toString(),
    }
  }

  /** Record an accepted task of `provider` (idempotent). */
  recordAccepted(jobId: string, provider: Address, task: TaskRecord): void {
    this.#insertReceipt.run(
      jobId,
      provider.toLowerCase(),
      task.taskId,
      Number(task.units),
      task.inputHash,
      task.outputHash,
    )
  }

  /**
   * Sign the next cumulative voucher for `provider` if it has receipts not yet covered; returns the
   * message to send, or undefined when nothing is new.
   */
  async nextVoucher(jobId: string, provider: Address): Promise<VoucherMessage | undefined> {
    const t0 = performance.now()
    const escrow = this.escrowOf(jobId)
    if (!escrow) return undefined
    const who = provider.toLowerCase()
    const leafOf = (r: ReceiptRow) =>
      receiptLeaf(
        toReceipt(escrow.escrowJob, provider, {
          taskId: r.task_id,
          units: r.units,
          inputHash: r.input_hash,
          outputHash: r.output_hash,
        }),
      )
    const key = `${jobId}|${who}`
    let acked = this.#acked.get(key)
    if (!acked) {
      // Once per (job, provider) after a start: the receipts that acknowledged vouchers already cover.
      const rows = this.#rows.all(jobId, who, 1) as ReceiptRow[]
      acked = {
        leaves: rows.map(leafOf),
        units: rows.reduce((a, r) => a + BigInt(r.units), 0n),
        ids: new Set(rows.map((r) => r.task_id)),
        openLeaves: new Map(),
      }
      this.#acked.set(key, acked)
    }
    // Everything not yet acknowledged goes into the voucher, so a voucher lost with a stream is made good.
    const open = this.#rows.all(jobId, who, 0) as ReceiptRow[]
    if (!open.length) return undefined
    const memo = acked.openLeaves
    const openLeaves = open.map((r) => {
      const leaf = memo.get(r.task_id) ?? leafOf(r)
      memo.set(r.task_id, leaf)
      return leaf
    })
    const openUnits = open.reduce((a, r) => a + BigInt(r.units), 0n)
    const cumulativeUnits = acked.units + openUnits
    const voucher = {
      jobId: escrow.escrowJob,
      provider,
      cumulativeUnits,
      cumulativeAmount: cumulativeUnits * escrow.pricePerUnit,
      receiptsRoot: await receiptRootOfLeaves([...acked.leaves, ...openLeaves]),
    }
    const signature: Hex = await this.ledger.signVoucher(voucher)
    const msg: VoucherMessage = {
      t: 'voucher',
      escrowJob: escrow.escrowJob.toString(),
      cumulativeUnits: cumulativeUnits.toString(),
      cumulativeAmount: voucher.cumulativeAmount.toString(),
      receiptsRoot: voucher.receiptsRoot,
      signature,
      taskIds: open.map((r) => r.task_id),
    }
    this.#saveVoucher.run(jobId, who, JSON.stringify(msg))
    const sent = this.#sent.get(key) ?? []
    sent.push({
      units: cumulativeUnits,
      receipts: open.map((r, i) => ({ id: r.task_id, leaf: openLeaves[i], units: BigInt(r.units) })),
    })
    this.#sent.set(key, sent.slice(-16))
    this.#voucherCost.set(key, performance.now() - t0)
    return msg
  }

  /**
   * How long to batch accepted tasks before the next voucher to `provider`: 200 ms, or 20× what the last
   * voucher cost when that is more (each voucher re-hashes the job's whole receipts tree, sorted leaves, so
   * its cost grows with the job: this keeps it near 5% of a core), at most 1 s (a provider runs at most
   * 512 tasks ahead of its vouchers).
   */
  voucherDelayMs(jobId: string, provider: Address): number {
    const cost = this.#voucherCost.get(`${jobId}|${provider.toLowerCase()}`) ?? 0
    return Math.min(1000, Math.max(200, 20 * cost))
  }

  /** The provider acknowledged the voucher for `cumulativeUnits`: its tasks need not be sent again. */
  acknowledge(jobId: string, provider: Address, cumulativeUnits: bigint): void {
    const key = `${jobId}|${provider.toLowerCase()}`
    const sent = this.#sent.get(key)
    const acked = this.#acked.get(key)
    const i = sent?.findIndex((v) => v.units === cumulativeUnits) ?? -1
    if (!sent || !acked || i < 0 || acked.units >= cumulativeUnits) return
    // An earlier voucher's ack may already have covered some of these receipts: add each one once.
    const added = sent[i].receipts.filter((r) => !acked.ids.has(r.id))
    this.db.transaction(() => {
      for (const r of added) this.#markVouchered.run(jobId, r.id)
    })()
    for (const r of added) {
      acked.ids.add(r.id)
      acked.openLeaves.delete(r.id)
      acked.leaves.push(r.leaf)
      acked.units += r.units
    }
    this.#sent.set(key, sent.slice(i + 1))
  }

  /** Units of all results accepted from `provider` in the job (what its vouchers cover, eventually). */
  acceptedUnits(jobId: string, provider: Address): bigint {
    const { units } = this.db
      .prepare(
        'SELECT COALESCE(SUM(units), 0) AS units FROM requester_receipts WHERE job_id = ? AND provider_eth = ?',
      )
      .get(jobId, provider.toLowerCase()) as { units: number }
    return BigInt(units)
  }

  /** Providers of a job holding accepted receipts that no acknowledged voucher covers yet. */
  owed(jobId: string): Address[] {
    const rows = this.db
      .prepare('SELECT DISTINCT provider_eth FROM requester_receipts WHERE job_id = ? AND vouchered = 0')
      .all(jobId) as { provider_eth: string }[]
    return rows.map((r) => getAddress(r.provider_eth))
  }

  /**
   * Pay `provider` on-chain ourselves for every accepted receipt of the job (the escrow pays the voucher's
   * provider whoever submits it): for a provider the last voucher may never have reached — killed, or
   * gone before its stream got the voucher. The voucher is cumulative like every other, so the provider
   * is never paid twice: one it redeemed already only tops up, an equal one reverts as stale (a no-op).
   */
  async redeemFor(jobId: string, provider: Address): Promise<{ paid: bigint; txHash?: string } | undefined> {
    const msg = await this.nextVoucher(jobId, provider)
    if (!msg) return undefined
    const voucher = {
      jobId: BigInt(msg.escrowJob),
      provider,
      cumulativeUnits: BigInt(msg.cumulativeUnits),
      cumulativeAmount: BigInt(msg.cumulativeAmount),
      receiptsRoot: msg.receiptsRoot as Hex,
    }
    let res: { paid: bigint; txHash?: string }
    try {
      res = await this.ledger.redeem(voucher, msg.signature as Hex)
    } catch (err) {
      if (!(err instanceof StaleVoucherError)) throw err
      res = { paid: 0n } // the provider redeemed this voucher (or a later one) first
    }
    this.acknowledge(jobId, provider, voucher.cumulativeUnits)
    // unusual (the provider missed its last voucher), so visible at the default log level
    this.log.warn(
      { job: jobId, provider, units: msg.cumulativeUnits, paid: res.paid.toString(), txHash: res.txHash },
      'final voucher redeemed for the provider',
    )
    return res
  }

  /**
   * Redeem on-chain, for `provider`, the last voucher we signed it in the job: for a payee that cannot sign
   * a release (a browser tab that was closed, a node that left), whose accepted work must not wait for it to
   * come back — a tab has no gas to redeem with. Cumulative: tops up what it redeemed itself, never pays twice.
   */
  async redeemLastFor(
    jobId: string,
    provider: Address,
  ): Promise<{ paid: bigint; txHash?: string } | undefined> {
    const row = this.db
      .prepare('SELECT body FROM requester_vouchers WHERE job_id = ? AND provider_eth = ?')
      .get(jobId, provider.toLowerCase()) as { body: string } | undefined
    if (!row) return undefined
    const msg = JSON.parse(row.body) as VoucherMessage
    try {
      const res = await this.ledger.redeem(
        {
          jobId: BigInt(msg.escrowJob),
          provider,
          cumulativeUnits: BigInt(msg.cumulativeUnits),
          cumulativeAmount: BigInt(msg.cumulativeAmount),
          receiptsRoot: msg.receiptsRoot as Hex,
        },
        msg.signature as Hex,
      )
      this.log.warn(
        { job: jobId, provider, units: msg.cumulativeUnits, paid: res.paid.toString(), txHash: res.txHash },
        'last voucher redeemed for a payee that did not release',
      )
      return res
    } catch (err) {
      if (err instanceof StaleVoucherError) return { paid: 0n } // it redeemed this voucher itself
      throw err
    }
  }

  /** Reclaim the unpaid rest of a job's escrow (after its deadline and redeem window). */
  async reclaim(jobId: string): Promise<{ amount: bigint; txHash: string }> {
    const escrow = this.escrowOf(jobId)
    if (!escrow) throw new Error(`Job ${jobId} has no escrow`)
    const res = await this.ledger.reclaim(escrow.escrowJob)
    this.db.prepare('UPDATE jobs SET reclaimed = ? WHERE id = ?').run(res.amount.toString(), jobId)
    return res
  }
}
