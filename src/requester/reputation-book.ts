import type { Db } from '../store/db.js'
import {
  emptyReputation,
  type ReputationEvent,
  type ReputationRecord,
  recordReputation,
  reputationScore,
} from '../verify/reputation.js'

/** This node's own, persisted experience of each provider (valid results, faults, timeouts). */
export class ReputationBook {
  readonly #read
  readonly #write
  readonly #all

  constructor(db: Db) {
    db.exec('CREATE TABLE IF NOT EXISTS reputation (provider TEXT PRIMARY KEY, record TEXT NOT NULL)')
    this.#read = db.prepare('SELECT record FROM reputation WHERE provider = ?')
    this.#write = db.prepare('INSERT OR REPLACE INTO reputation (provider, record) VALUES (?, ?)')
    this.#all = db.prepare('SELECT provider, record FROM reputation ORDER BY rowid DESC LIMIT ?')
  }

  record(provider: string, event: ReputationEvent, now = Date.now()): void {
    const next = recordReputation(this.get(provider), event, now)
    this.#write.run(provider, JSON.stringify(next))
  }

  get(provider: string): ReputationRecord {
    const row = this.#read.get(provider) as { record: string } | undefined
    return row ? (JSON.parse(row.record) as ReputationRecord) : emptyReputation(Date.now())
  }

  /** Up to `limit` providers this node has a record for, most recently updated first. */
  list(limit = 1000): { provider: string; record: ReputationRecord }[] {
    const rows = this.#all.all(limit) as { provider: string; record: string }[]
    return rows
      .map((r) => ({ provider: r.provider, record: JSON.parse(r.record) as ReputationRecord }))
      .sort((a, b) => b.record.updatedAt - a.record.updatedAt)
  }

  /** Score in [0, 1]; 0.5 for a provider never seen. */
  score(provider: string, now = Date.now()): number {
    return reputationScore(this.get(provider), now)
  }
}
