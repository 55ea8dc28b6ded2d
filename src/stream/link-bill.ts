import { ReceiptChunker } from '../payments/stream-receipts.js'
import type { Agreement } from '../protocols/market-messages.js'
import type { StreamTerms } from '../protocols/stream-messages.js'
import type { VoucherMessage } from '../protocols/task-messages.js'
import type { SessionPayer } from './session-payer.js'

/** How long the end of a paid session waits for the provider's last receipt and its voucher's acknowledgement. */
const END_TIMEOUT_MS = 5_000

/**
 * The requester's account of a paid session at one provider: the same receipts the provider cuts (every
 * `receiptEvery` answered samples, from the bytes sent and received), a cumulative voucher for each, in order,
 * and at the end the last partial receipt paid and acknowledged.
 */
export class LinkBill {
  readonly #chunker: ReceiptChunker
  /** Encoded inputs of samples sent and not yet answered, by seq. */
  readonly #inputs = new Map<number, Uint8Array[]>()
  #vouchers: Promise<void> = Promise.resolve()
  #lastUnits = 0n
  #ackedUnits = 0n
  #onAck?: () => void
  #onEnded?: () => void
  /** The latest voucher signed (it covers every receipt so far). */
  #latest?: VoucherMessage
  #settled = false

  constructor(
    private readonly payer: SessionPayer,
    readonly agreement: Agreement,
    terms: StreamTerms,
    private readonly send: (voucher: VoucherMessage) => Promise<void>,
  ) {
    this.#chunker = new ReceiptChunker(agreement.agreementId, terms.costPerSample, terms.receiptEvery)
  }

  sent(seq: number, input: Uint8Array[]): void {
    this.#inputs.set(seq, input)
  }

  /** Sample `seq` was answered with `output` (the frame body as received). */
  answered(seq: number, output: Uint8Array): void {
    const input = this.#inputs.get(seq)
    this.#inputs.delete(seq)
    if (!input) return
    const receipt = this.#chunker.add(input, [output])
    if (receipt) this.#pay(receipt)
  }

  /** Sample `seq` was refused: it is in no receipt. */
  refused(seq: number): void {
    this.#inputs.delete(seq)
  }

  acked(cumulativeUnits: bigint): void {
    if (cumulativeUnits > this.#ackedUnits) this.#ackedUnits = cumulativeUnits
    this.#onAck?.()
  }

  ended(): void {
    this.#onEnded?.()
  }

  /**
   * End the session's account: `sendEnd` asks the provider for its last receipt; once it says `ended`, pay
   * the partial chunk and wait for the acknowledgement of the final voucher (each wait up to 5 s).
   */
  async finish(sendEnd: () => Promise<void>): Promise<void> {
    const ended = new Promise<void>((ok) => {
      this.#onEnded = ok
    })
    await sendEnd()
    await Promise.race([ended, sleep(END_TIMEOUT_MS)])
    const last = this.#chunker.end()
    if (last) this.#pay(last)
    await this.#vouchers
    const until = Date.now() + END_TIMEOUT_MS
    while (this.#ackedUnits < this.#lastUnits && Date.now() < until)
      await Promise.race([new Promise<void>((ok) => (this.#onAck = ok)), sleep(100)])
    await this.#redeemUnacknowledged()
  }

  /**
   * The stream broke: pay the provider for every answer received — the samples since the last receipt make a
   * last one, and the latest voucher, which the provider may never have received, is redeemed on-chain for it.
   * Resolves with what that paid (0 when the provider held every voucher already).
   */
  async abandon(): Promise<bigint> {
    const last = this.#chunker.end()
    if (last) this.#pay(last)
    await this.#vouchers
    return this.#redeemUnacknowledged()
  }

  async #redeemUnacknowledged(): Promise<bigint> {
    if (this.#settled || !this.#latest || this.#ackedUnits >= this.#lastUnits) return 0n
    this.#settled = true
    return this.payer.redeemFor(this.agreement, this.#latest)
  }

  #pay(receipt: Parameters<SessionPayer['voucher']>[1]): void {
    this.#lastUnits += BigInt(receipt.units)
    this.#vouchers = this.#vouchers
      .then(async () => {
        this.#latest = await this.payer.voucher(this.agreement, receipt)
        await this.send(this.#latest)
      })
      .catch(() => {})
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
