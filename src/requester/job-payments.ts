import { type Address, getAddress } from 'viem'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import type { TaskRecord } from '../payments/receipt.js'
import type { RequesterPayments } from '../payments/requester-payments.js'
import type { RequesterSettlement } from '../payments/requester-settlement.js'
import type { Settlement } from '../payments/settlement.js'
import type { Agreement, Offer } from '../protocols/market-messages.js'
import type { ProviderSession } from './provider-session.js'
import { askRelease } from './release-client.js'

/** What a job's payments need. */
export interface JobPaymentsComponents {
  host: Host
  log: Logger
  payments: RequesterPayments
  /** Payees and early closing of the escrow; absent = the escrow waits for reclaim. */
  settlement?: RequesterSettlement
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const ethOf = (session: ProviderSession) => session.agreement.providerEth as Address

/**
 * The money side of one job run: its escrow (opened once at the clearing price, providers named payees),
 * batched vouchers to each provider, and the end — final vouchers acknowledged, unreached providers paid on
 * their behalf, the escrow closed with the providers' releases.
 */
export class JobPayments {
  readonly #timers = new Map<ProviderSession, NodeJS.Timeout>()

  constructor(
    private readonly c: JobPaymentsComponents,
    private readonly jobId: string,
  ) {}

  /**
   * Open (once) the job's escrow at the highest chosen price for `units` at that price; all providers of the
   * job are paid that price. Returns the agreement's payment terms.
   */
  async settle(chosen: Offer[], units: bigint, deadline: number) {
    const payments = this.c.payments
    const price = chosen.reduce((m, o) => (BigInt(o.pricePerUnit) > m ? BigInt(o.pricePerUnit) : m), 0n)
    const escrow = await payments.ensureEscrow(this.jobId, price, units, deadline)
    return {
      escrow: payments.escrowRef(escrow),
      pricePerUnit: escrow.pricePerUnit,
      requesterEth: payments.ledger.address,
    }
  }

  /** Name the agreed providers payees: each checks it on-chain before its first task. */
  async addPayees(agreements: Agreement[]): Promise<void> {
    if (!agreements.length || !this.c.settlement) return
    await this.c.settlement.addPayees(
      this.jobId,
      agreements.map((a) => ({ eth: getAddress(a.providerEth), peer: a.provider })),
    )
  }

  /** Record an accepted task of the session's provider and send it a voucher soon. */
  accepted(session: ProviderSession, task: TaskRecord): void {
    this.c.payments.recordAccepted(this.jobId, ethOf(session), task)
    this.#schedule(session)
  }

  /** The provider stored the voucher for `cumulativeUnits`. */
  acknowledged(session: ProviderSession, cumulativeUnits: bigint): void {
    this.c.payments.acknowledge(this.jobId, ethOf(session), cumulativeUnits)
  }

  /** Sign and send a voucher soon, batching the results that arrive meanwhile. */
  #schedule(session: ProviderSession): void {
    if (this.#timers.has(session)) return
    const delay = this.c.payments.voucherDelayMs(this.jobId, ethOf(session))
    this.#timers.set(
      session,
      setTimeout(() => {
        this.#timers.delete(session)
        void this.flush(session).catch((err) =>
          this.c.log.warn({ err: (err as Error).message }, 'voucher failed'),
        )
      }, delay),
    )
  }

  /** Send the session's provider a voucher for everything not yet covered, now. */
  async flush(session: ProviderSession): Promise<void> {
    clearTimeout(this.#timers.get(session))
    this.#timers.delete(session)
    if (session.dead) return
    const msg = await this.c.payments.nextVoucher(this.jobId, ethOf(session))
    if (msg) session.sendVoucher(msg)
  }

  /** Give the acknowledgements of the final vouchers (up to 2 s) to come back from live providers. */
  async awaitFinalAcks(sessions: Iterable<ProviderSession>): Promise<void> {
    const live = new Set([...sessions].filter((s) => !s.dead).map((s) => getAddress(ethOf(s))))
    for (let i = 0; i < 20 && this.c.payments.owed(this.jobId).some((p) => live.has(p)); i++) await sleep(100)
  }

  /**
   * Redeem on-chain, for them, what providers are owed but no acknowledged voucher covers: the last
   * vouchers never reached a provider that was killed or left before its stream got them.
   */
  async payUnreached(): Promise<void> {
    for (const provider of this.c.payments.owed(this.jobId)) {
      await this.c.payments
        .redeemFor(this.jobId, provider)
        .catch((err) =>
          this.c.log.warn(
            { job: this.jobId, provider, err: (err as Error).message },
            'could not redeem the final voucher for the provider',
          ),
        )
    }
  }

  /** Close the escrow with every payee's release (src/payments/requester-settlement.ts). */
  async closeEscrow(): Promise<Settlement | undefined> {
    const settlement = this.c.settlement
    if (!settlement) return undefined
    return settlement
      .close(this.jobId, (payee, request) => askRelease(this.c.host, payee.peer, request))
      .catch((err: Error) => {
        this.c.log.warn({ job: this.jobId, err: err.message }, 'could not close the escrow')
        return undefined
      })
  }
}
