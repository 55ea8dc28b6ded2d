import type { Db } from '../store/db.js'
import { batchThisTurn, commitTurnNow } from '../store/turn-batch.js'
import type { JobProgress, JobSpec, JobStatus, ProviderWork } from './job-spec.js'

/** What a finished job keeps of its progress beyond counts: how it was verified, what it told its user. */
export type JobSummary = Pick<JobProgress, 'verification' | 'notices'>

import type { Shard } from './shard-plan.js'

/** A job row. */
export interface JobRecord {
  id: string
  spec: JobSpec
  status: JobStatus
  error?: string
  createdAt: number
  finishedAt?: number
  resultHash?: string
  summary?: JobSummary
}

interface JobRow {
  id: string
  spec: string
  status: JobStatus
  error: string | null
  created_at: number
  finished_at: number | null
  result_hash: string | null
  summary: string | null
}

const toRecord = (r: JobRow): JobRecord => ({
  id: r.id,
  spec: JSON.parse(r.spec),
  status: r.status,
  error: r.error ?? undefined,
  createdAt: r.created_at,
  finishedAt: r.finished_at ?? undefined,
  resultHash: r.result_hash ?? undefined,
  summary: r.summary ? (JSON.parse(r.summary) as JobSummary) : undefined,
})

/** Persistence of jobs and their shards, so a restarted requester resumes where it stopped. */
export class JobStore {
  readonly #saveResult

  constructor(private readonly db: Db) {
    this.#saveResult = db.prepare(
      "UPDATE shards SET status = 'done', provider = ?, output = ?, output_hash = ?, ep = ? WHERE job_id = ? AND idx = ? AND status != 'done'",
    )
  }

  /** Group this event-loop turn's writes into one transaction (see `batchThisTurn`). */
  batchTurn(onError: (err: Error) => void): void {
    batchThisTurn(this.db, onError)
  }

  /** Commit this turn's open batch now (before progress built from it is shown: see `commitTurnNow`). */
  commitTurn(): void {
    commitTurnNow(this.db)
  }

  create(job: JobRecord, shards: Shard[]): void {
    const insertShard = this.db.prepare(
      'INSERT INTO shards (job_id, idx, start, end, status, attempts, units) VALUES (?, ?, ?, ?, ?, 0, ?)',
    )
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO jobs (id, spec, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(job.id, JSON.stringify(job.spec), job.status, job.createdAt, job.createdAt)
      for (const s of shards) insertShard.run(job.id, s.idx, s.start, s.end, 'pending', s.units)
    })()
  }

  get(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined
    return row && toRecord(row)
  }

  list(limit = 100): JobRecord[] {
    return (
      this.db.prepare('SELECT * FROM jobs ORDER BY created_at DESC LIMIT ?').all(limit) as JobRow[]
    ).map(toRecord)
  }

  unfinished(): JobRecord[] {
    return (this.db.prepare("SELECT * FROM jobs WHERE status = 'running'").all() as JobRow[]).map(toRecord)
  }

  setStatus(id: string, status: JobStatus, error?: string, resultHash?: string, summary?: JobSummary): void {
    const now = Date.now()
    this.db
      .prepare(
        'UPDATE jobs SET status = ?, error = ?, result_hash = ?, updated_at = ?, finished_at = ?, summary = ? WHERE id = ?',
      )
      .run(
        status,
        error ?? null,
        resultHash ?? null,
        now,
        status === 'running' ? null : now,
        summary ? JSON.stringify(summary) : null,
        id,
      )
  }

  shards(jobId: string): Shard[] {
    const rows = this.db
      .prepare(
        'SELECT idx, start, end, status, provider, attempts, units FROM shards WHERE job_id = ? ORDER BY idx',
      )
      .all(jobId) as (Omit<Shard, 'provider'> & { provider: string | null })[]
    return rows.map((r) => ({ ...r, provider: r.provider ?? undefined }))
  }

  /** Store a shard's verified output; returns false if the shard was already done (a duplicate). */
  saveResult(
    jobId: string,
    idx: number,
    provider: string,
    output: Uint8Array,
    outputHash: string,
    ep?: string,
  ): boolean {
    const res = this.#saveResult.run(provider, output, outputHash, ep ?? null, jobId, idx)
    return res.changes === 1
  }

  /** Outputs of every shard, in shard order (all must be done). */
  outputs(jobId: string): Uint8Array[] {
    const rows = this.db.prepare('SELECT output FROM shards WHERE job_id = ? ORDER BY idx').all(jobId) as {
      output: Buffer | null
    }[]
    return rows.map((r, i) => {
      if (!r.output) throw new Error(`shard ${i} of job ${jobId} has no output`)
      return new Uint8Array(r.output)
    })
  }

  /** Record a signed agreement (either role) for audit and restart. */
  saveAgreement(
    jobId: string,
    role: 'requester' | 'provider',
    peer: string,
    agreement: { agreementId: string },
  ): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO agreements (id, job_id, role, peer, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(agreement.agreementId, jobId, role, peer, JSON.stringify(agreement), Date.now())
  }

  /** Work per provider, from completed shards. */
  providerWork(jobId: string): ProviderWork[] {
    const rows = this.db
      .prepare(
        "SELECT provider, COUNT(*) AS shards, SUM(end - start) AS samples, SUM(units) AS units, GROUP_CONCAT(DISTINCT ep) AS eps FROM shards WHERE job_id = ? AND status = 'done' GROUP BY provider ORDER BY provider",
      )
      .all(jobId) as (Omit<ProviderWork, 'executionProviders'> & { eps: string | null })[]
    return rows.map(({ eps, ...w }) => ({ ...w, ...(eps && { executionProviders: eps.split(',').sort() }) }))
  }
}
