import { type Address, getAddress, type Hex, recoverAddress } from 'viem'
import { firstLine } from '../errors.js'
import { hashRelease, type Release, type SignedRelease } from '../ledger/index.js'
import type { Logger } from '../log.js'
import type { ReleaseReply, ReleaseRequest } from '../protocols/release-messages.js'
import type { Db } from '../store/db.js'
import type { RequesterPayments } from './requester-payments.js'
import type { Settlement } from './settlement.js'

/** A provider named payee of a job's escrow: its payout address and its libp2p peer id. */
export interface Payee {
  eth: Address
  peer: string
}

/** How long a release request stays valid. */
const REQUEST_VALIDITY_MS = 60_000
/** Tries per payee (a provider may still be checking the last voucher or finishing an aborted task). */
const RELEASE_ATTEMPTS = 4
const RETRY_DELAY_MS = 750
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * The requester's side of early settlement: names each provider it works with a payee of the job's escrow
 * (before the provider's first task), and at the job's end collects one signed release per payee and closes
 * the escrow, which pays what the releases add and returns the unspent budget at once. A payee that cannot
 * be reached or refuses leaves the escrow open: the rest is then reclaimable after the redeem window.
 */
export class RequesterSettlement {
  constructor(
    private readonly db: Db,
    private readonly payments: RequesterPayments,
    private readonly log: Logger,
  ) {}

  /** Name providers payees of the job's escrow (one transaction for the new ones; none if all are known). */
  async addPayees(jobId: string, payees: readonly Payee[]): Promise<void> {
    const escrow = this.payments.escrowOf(jobId)
    if (!escrow) return
    const known = new Set(this.payees(jobId).map((p) => p.eth))
    const fresh = [...new Map(payees.map((p) => [getAddress(p.eth), p])).values()].filter(
      (p) => !known.has(getAddress(p.eth)),
    )
    if (!fresh.length) return
    const { txHash } = await this.payments.ledger.addPayees(
      escrow.escrowJob,
      fresh.map((p) => p.eth),
    )
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO requester_payees (job_id, provider_eth, peer) VALUES (?, ?, ?)',
    )
    this.db.transaction(() => {
      for (const p of fresh) insert.run(jobId, getAddress(p.eth), p.peer)
    })()
    this.log.info({ job: jobId, payees: fresh.map((p) => p.eth), txHash }, 'payees added')
  }

  /** The job's payees. */
  payees(jobId: string): Payee[] {
    const rows = this.db
      .prepare('SELECT provider_eth, peer FROM requester_payees WHERE job_id = ? ORDER BY rowid')
      .all(jobId) as { provider_eth: string; peer: string }[]
    return rows.map((r) => ({ eth: getAddress(r.provider_eth), peer: r.peer }))
  }

  /** How the job's escrow ended, once the job tried to close it. */
  settlementOf(jobId: string): Settlement | undefined {
    return this.payments.accounts(jobId)?.settlement
  }

  /**
   * Close the job's escrow now: ask every payee for its release (`ask`), check each (signed by the payee,
   * for this job, claiming no more than the results we accepted from it), and submit them. Returns how it
   * ended (also stored); undefined when the job has no escrow.
   */
  async close(
    jobId: string,
    ask: (payee: Payee, request: ReleaseRequest) => Promise<ReleaseReply>,
  ): Promise<Settlement | undefined> {
    const escrow = this.payments.escrowOf(jobId)
    const previous = this.settlementOf(jobId)
    if (!escrow || previous?.status === 'settled') return previous
    const ledger = this.payments.ledger
    const save = (s: Settlement) => {
      this.db.prepare('UPDATE jobs SET settlement = ? WHERE id = ?').run(JSON.stringify(s), jobId)
      return s
    }
    const open = (reason: string) => {
      this.log.warn({ job: jobId, reason }, 'escrow left open: refundable after the redeem window')
      return save({ status: 'open', reason, at: Date.now() })
    }
    if ((await ledger.jobInfo(escrow.escrowJob)).closed) return open('the escrow job is closed already')
    const releases: SignedRelease[] = []
    const problems: string[] = []
    const released: Payee[] = []
    // a payee that left (a closed browser tab) or will not release is still paid what we accepted
    const redeemFor = (payee: Payee) =>
      this.payments.redeemLastFor(jobId, payee.eth).catch((err: Error) => {
        this.log.warn({ job: jobId, provider: payee.eth, err: err.message }, 'could not redeem for the payee')
        return undefined
      })
    await Promise.all(
      this.payees(jobId).map(async (payee) => {
        const problem = await this.#collect(jobId, escrow.escrowJob, payee, ask, releases)
        if (!problem) return void released.push(payee)
        const paid = await redeemFor(payee)
        problems.push(
          `provider ${payee.eth}: ${problem}${paid ? ` (its accepted work is paid on-chain: ${paid.txHash ?? 'its last voucher was redeemed already'})` : ''}`,
        )
      }),
    )
    if (problems.length) {
      // the escrow cannot close without every release: those who released are paid their last voucher now,
      // so that nobody's accepted work waits for another payee (a tab has no gas to redeem with itself)
      await Promise.all(released.map(redeemFor))
      return open(problems.join('; '))
    }
    try {
      const r = await ledger.closeJob(escrow.escrowJob, releases)
      this.log.info(
        { job: jobId, refund: r.refund.toString(), paid: r.paid.toString(), txHash: r.txHash },
        'escrow closed',
      )
      return save({
        status: 'settled',
        refund: r.refund.toString(),
        paid: r.paid.toString(),
        txHash: r.txHash,
        at: Date.now(),
      })
    } catch (err) {
      return open(`closing failed: ${firstLine(err)}`)
    }
  }

  /** One payee's release into `into`, or what is wrong with it. */
  async #collect(
    jobId: string,
    escrowJob: bigint,
    payee: Payee,
    ask: (payee: Payee, request: ReleaseRequest) => Promise<ReleaseReply>,
    into: SignedRelease[],
  ): Promise<string | undefined> {
    const ledger = this.payments.ledger
    const expires = Date.now() + REQUEST_VALIDITY_MS
    const signature = await ledger.signReleaseRequest({ jobId: escrowJob, provider: payee.eth, expires })
    const request: ReleaseRequest = {
      t: 'release-request',
      escrowJob: escrowJob.toString(),
      provider: payee.eth,
      expires,
      signature,
    }
    let reply: ReleaseReply | undefined
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      if (attempt) await sleep(RETRY_DELAY_MS)
      try {
        reply = await ask(payee, request)
      } catch (err) {
        reply = undefined
        if (attempt === RELEASE_ATTEMPTS - 1) return `unreachable (${firstLine(err)})`
        continue
      }
      if (reply.t === 'release' || !reply.retry) break
    }
    if (!reply) return 'no answer'
    if (reply.t === 'release-refused') return `refused: ${reply.reason}`
    const release: Release = {
      jobId: escrowJob,
      provider: payee.eth,
      cumulativeUnits: BigInt(reply.cumulativeUnits),
      receiptsRoot: reply.receiptsRoot as Hex,
    }
    if (reply.escrowJob !== escrowJob.toString()) return 'released another escrow job'
    const signer = await recoverAddress({
      hash: hashRelease(release, ledger.deployments.escrow, ledger.chainId),
      signature: reply.signature as Hex,
    }).catch(() => undefined)
    if (!signer || getAddress(signer) !== payee.eth) return 'the release is not signed by the provider'
    const accepted = this.payments.acceptedUnits(jobId, payee.eth)
    if (release.cumulativeUnits > accepted)
      return `the release claims ${release.cumulativeUnits} units, we accepted ${accepted}`
    into.push({ release, signature: reply.signature as Hex })
    return undefined
  }
}
