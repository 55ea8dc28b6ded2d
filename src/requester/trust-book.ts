import type { Db } from '../store/db.js'
import type { CarriedTrust, ProviderBookState, TrustPrior } from '../verify/index.js'

/**
 * What this requester's adaptive verification learnt of each provider, kept across jobs: a job starts a
 * provider it has met before from its streak and record instead of checking it densely again (see
 * AdaptivePolicy). A provider outvoted or excluded in a job is saved with the reset streak, so its next job
 * checks it from the start.
 */
export class TrustBook {
  readonly #read
  readonly #write
  readonly #db: Db

  /** `db` has had the migrations of openDb (table verification_trust). */
  constructor(db: Db) {
    this.#db = db
    this.#read = db.prepare('SELECT streak, record FROM verification_trust WHERE provider = ?')
    this.#write = db.prepare(
      'INSERT OR REPLACE INTO verification_trust (provider, streak, record, updated_at) VALUES (?, ?, ?, ?)',
    )
  }

  /** The carried trust of a provider, or undefined for one never verified by this requester. */
  get(provider: string): CarriedTrust | undefined {
    return this.#read.get(provider) as CarriedTrust | undefined
  }

  /** The prior a job's adaptive policy starts providers from. */
  readonly prior: TrustPrior = (provider) => this.get(provider)

  /** Keep a finished (or stopped) job's view of its providers; an excluded provider keeps no trust. */
  save(book: ProviderBookState, now = Date.now()): void {
    this.#db.transaction(() => {
      for (const [provider, s] of Object.entries(book)) {
        const trusted = !s.excluded
        this.#write.run(provider, trusted ? s.streak : 0, trusted ? s.record : 0, now)
      }
    })()
  }
}
