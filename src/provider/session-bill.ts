import { ReceiptChunker } from '../payments/stream-receipts.js'
import type { Agreement } from '../protocols/market-messages.js'
import type { VoucherMessage } from '../protocols/task-messages.js'
import { MAX_UNCOVERED_RECEIPTS, RECEIPT_EVERY, Refusal, type StreamPay } from './stream-agreement.js'

/**
 * The provider's account of one paid streaming session: a receipt every {@link RECEIPT_EVERY} answered samples
 * (kept by ProviderPayments like a batch job's), the requester's cumulative vouchers checked against them,
 * work stopped when vouchers fall more than {@link MAX_UNCOVERED_RECEIPTS} receipts behind, and redemption
 * once the session ends.
 */
export class SessionBill {
  readonly #chunker: ReceiptChunker
  readonly #escrowJob: string

  constructor(
    private readonly pay: StreamPay,
    private readonly agreement: Agreement,
    costPerSample: number,
  ) {
    this.#chunker = new ReceiptChunker(agreement.agreementId, costPerSample, RECEIPT_EVERY)
    this.#escrowJob = agreement.escrow!.jobId
  }

  /** Before a sample: refuse to go on when the requester's vouchers fell behind. */
  check(): void {
    const behind = this.pay.payments.uncovered(this.#escrowJob)
    if (behind > MAX_UNCOVERED_RECEIPTS)
      throw new Refusal('payment', `vouchers fell behind: ${behind} receipts of this session are not paid`)
  }

  /** A sample was answered: its encoded input and output count towards the next receipt. */
  answered(input: Uint8Array, output: readonly Uint8Array[]): void {
    const receipt = this.#chunker.add([input], output)
    if (receipt) this.pay.payments.recordTask(this.agreement, receipt)
  }

  /** A voucher from the requester: checked against our receipts and kept, or the session ends. */
  async voucher(msg: VoucherMessage) {
    try {
      await this.pay.payments.acceptVoucher(this.agreement, msg)
    } catch (err) {
      throw new Refusal('payment', `voucher refused: ${(err as Error).message}`)
    }
    return { t: 'voucher-ack', escrowJob: this.#escrowJob, cumulativeUnits: msg.cumulativeUnits }
  }

  /** The requester ended the session: the last, partial receipt. */
  end(): void {
    const receipt = this.#chunker.end()
    if (receipt) this.pay.payments.recordTask(this.agreement, receipt)
  }

  /** The stream is gone: redeem what the vouchers cover. */
  closed(): void {
    this.pay.payments.jobEnded(this.#escrowJob)
  }
}
