import { type Address, getAddress, type Hex, recoverMessageAddress, zeroHash } from 'viem'
import type { Ledger } from '../ledger/ledger.js'
import { releaseRequestText } from '../ledger/release.js'
import type { Logger } from '../log.js'
import type { ReleaseReply, ReleaseRequest } from '../protocols/release-messages.js'
import type { Db } from '../store/db.js'
import type { ProviderPayments } from './provider-payments.js'
import { releaseDecision } from './release-decision.js'

/**
 * The provider's side of early settlement: it works for an escrow job only once the requester named it a
 * payee on-chain (nothing else can pay it), and at the job's end it signs a release — "pay me up to the
 * last voucher I hold, refund the rest" — so the requester can close the job and get its unspent budget back
 * at once. After a release it takes no more work on that job.
 */
export class ProviderSettlement {
  /** Escrow jobs that name us a payee (a payee stays one, so only `true` is cached). */
  readonly #payeeOf = new Set<string>()
  /** Tasks running per escrow job. */
  readonly #running = new Map<string, number>()
  readonly #released = new Set<string>()

  constructor(
    private readonly db: Db,
    private readonly payments: ProviderPayments,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    const rows = db.prepare('SELECT escrow_job FROM provider_releases').all() as { escrow_job: string }[]
    for (const r of rows) this.#released.add(r.escrow_job)
  }

  get #ledger(): Ledger {
    return this.payments.ledger
  }

  /** Whether the escrow job names this provider a payee (checked on-chain until it does). */
  async isPayee(escrowJob: string): Promise<boolean> {
    if (this.#payeeOf.has(escrowJob)) return true
    const yes = await this.#ledger.isPayee(BigInt(escrowJob), this.#ledger.address)
    if (yes) this.#payeeOf.add(escrowJob)
    return yes
  }

  /** Whether this provider released the escrow job (it then takes no more of its tasks). */
  released(escrowJob: string): boolean {
    return this.#released.has(escrowJob)
  }

  /** Count a task of the job as running until `done` settles. */
  track<T>(escrowJob: string, done: Promise<T>): Promise<T> {
    this.#running.set(escrowJob, (this.#running.get(escrowJob) ?? 0) + 1)
    return done.finally(() => {
      const n = (this.#running.get(escrowJob) ?? 1) - 1
      if (n > 0) this.#running.set(escrowJob, n)
      else this.#running.delete(escrowJob)
    })
  }

  /** Answer a requester's release request: the signed release, or why not (see releaseDecision). */
  async release(req: ReleaseRequest): Promise<ReleaseReply> {
    const escrowJob = req.escrowJob
    const refuse = (reason: string, retry = false): ReleaseReply => {
      this.log.info({ escrowJob, reason }, 'release refused')
      return { t: 'release-refused', escrowJob, reason, retry }
    }
    const me = this.#ledger.address
    const stored = this.#stored(escrowJob)
    if (stored && getAddress(req.provider) === me) return stored
    const job = await this.#ledger.jobInfo(BigInt(escrowJob))
    const signer = await recoverMessageAddress({
      message: releaseRequestText(
        { jobId: BigInt(escrowJob), provider: req.provider as Address, expires: req.expires },
        this.#ledger.deployments.escrow,
        this.#ledger.chainId,
      ),
      signature: req.signature as Hex,
    }).catch(() => undefined)
    const verdict = releaseDecision({
      forMe: getAddress(req.provider) === me,
      expires: req.expires,
      now: this.now(),
      signedByRequester: signer !== undefined && getAddress(signer) === getAddress(job.requester),
      closed: job.closed,
      uncovered: this.payments.uncovered(escrowJob),
      running: this.#running.get(escrowJob) ?? 0,
    })
    if (!verdict.ok) return refuse(verdict.reason, verdict.retry)
    // No await between the checks above and this line: no task of the job starts in between.
    this.#released.add(escrowJob)
    const held = this.payments.heldOf(escrowJob)
    const release = {
      jobId: BigInt(escrowJob),
      provider: me,
      cumulativeUnits: BigInt(held?.voucher.cumulativeUnits ?? 0),
      receiptsRoot: (held?.voucher.receiptsRoot ?? zeroHash) as Hex,
    }
    const signature = await this.#ledger.signRelease(release)
    this.db
      .prepare(
        'INSERT OR IGNORE INTO provider_releases (escrow_job, cumulative_units, receipts_root, signature, at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(escrowJob, release.cumulativeUnits.toString(), release.receiptsRoot, signature, this.now())
    this.log.info({ escrowJob, units: release.cumulativeUnits.toString() }, 'escrow job released')
    return this.#stored(escrowJob)!
  }

  #stored(escrowJob: string): ReleaseReply | undefined {
    const r = this.db
      .prepare(
        'SELECT cumulative_units, receipts_root, signature FROM provider_releases WHERE escrow_job = ?',
      )
      .get(escrowJob) as { cumulative_units: string; receipts_root: string; signature: string } | undefined
    return r
      ? {
          t: 'release',
          escrowJob,
          cumulativeUnits: r.cumulative_units,
          receiptsRoot: r.receipts_root,
          signature: r.signature,
        }
      : undefined
  }
}
