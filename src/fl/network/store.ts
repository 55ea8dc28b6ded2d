import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Preprocessing } from '../../data/preprocess.js'
import { type Db, openDb } from '../../store/db.js'
import { Lineage } from '../lineage/record.js'
import { weightsFromBytes, weightsToBytes } from './codec.js'
import { preprocessingFromWire, preprocessingToWire } from './preprocessing-wire.js'
import { type DataPayment, FlJobSpec, PreprocessingWire } from './protocol.js'

/** Where a coordinator's job stands. */
export type FlJobStatus = 'waiting' | 'running' | 'done' | 'failed'

/** A coordinator's persisted job: enough to resume after a restart at the next round. */
export interface FlJobState {
  spec: FlJobSpec
  status: FlJobStatus
  /** Rounds completed (aggregated) so far. */
  round: number
  preprocessing?: Preprocessing
  /** Global weights after `round` rounds. */
  global?: Float32Array
  lineage?: Lineage
  /** Data-budget escrow: its job id, each holder's payee address, and (once done) the signed vouchers by peer. */
  payments?: FlPaymentsState
  error?: string
}

/** The ledger side of a job's data budget. */
export interface FlPaymentsState {
  escrowJobId: string
  payees: Record<string, string>
  vouchers?: Record<string, DataPayment>
}

/** SQLite persistence of federated jobs (a separate database file with its own migrations). */
export interface FlStore {
  save(state: FlJobState): void
  load(jobId: string): FlJobState | undefined
  /** The job whose current model has this hash. */
  findByModelHash(modelHash: string): FlJobState | undefined
  list(): { id: string; status: FlJobStatus; round: number; rounds: number; modelHash?: string }[]
  close(): void
}

const MIGRATIONS = [
  (db: Db) =>
    db.exec(`CREATE TABLE fl_jobs (
      id TEXT PRIMARY KEY, spec TEXT NOT NULL, status TEXT NOT NULL, round INTEGER NOT NULL,
      preprocessing TEXT, global BLOB, lineage TEXT, model_hash TEXT, error TEXT, updated_at INTEGER NOT NULL
    ); CREATE INDEX fl_jobs_model ON fl_jobs(model_hash);`),
  (db: Db) => db.exec('ALTER TABLE fl_jobs ADD COLUMN payments TEXT'),
]

type Row = {
  spec: string
  status: FlJobStatus
  round: number
  preprocessing: string | null
  global: Buffer | null
  lineage: string | null
  payments: string | null
  error: string | null
}

/** Opens (or creates) the federated-learning job store at `file` (`fl.db` in the node's data dir). */
export function openFlStore(file: string): FlStore {
  mkdirSync(dirname(file), { recursive: true })
  const db = openDb(file, MIGRATIONS)
  const upsert =
    db.prepare(`INSERT INTO fl_jobs (id, spec, status, round, preprocessing, global, lineage, payments, model_hash, error, updated_at)
    VALUES (@id, @spec, @status, @round, @preprocessing, @global, @lineage, @payments, @modelHash, @error, @now)
    ON CONFLICT(id) DO UPDATE SET spec=@spec, status=@status, round=@round, preprocessing=@preprocessing,
      global=@global, lineage=@lineage, payments=@payments, model_hash=@modelHash, error=@error, updated_at=@now`)
  const decode = (row: Row | undefined): FlJobState | undefined =>
    row && {
      spec: FlJobSpec.parse(JSON.parse(row.spec)),
      status: row.status,
      round: row.round,
      preprocessing: row.preprocessing
        ? preprocessingFromWire(PreprocessingWire.parse(JSON.parse(row.preprocessing)))
        : undefined,
      global: row.global ? weightsFromBytes(new Uint8Array(row.global)) : undefined,
      lineage: row.lineage ? Lineage.parse(JSON.parse(row.lineage)) : undefined,
      payments: row.payments ? (JSON.parse(row.payments) as FlPaymentsState) : undefined,
      error: row.error ?? undefined,
    }
  return {
    save(s) {
      upsert.run({
        id: s.spec.id,
        spec: JSON.stringify(s.spec),
        status: s.status,
        round: s.round,
        preprocessing: s.preprocessing ? JSON.stringify(preprocessingToWire(s.preprocessing)) : null,
        global: s.global ? Buffer.from(weightsToBytes(s.global)) : null,
        lineage: s.lineage ? JSON.stringify(s.lineage) : null,
        payments: s.payments ? JSON.stringify(s.payments) : null,
        modelHash: s.lineage?.modelHash ?? null,
        error: s.error ?? null,
        now: Date.now(),
      })
    },
    load: (id) => decode(db.prepare('SELECT * FROM fl_jobs WHERE id = ?').get(id) as Row | undefined),
    findByModelHash: (h) =>
      decode(
        db.prepare('SELECT * FROM fl_jobs WHERE model_hash = ? ORDER BY updated_at DESC').get(h) as
          | Row
          | undefined,
      ),
    list: () =>
      (
        db
          .prepare('SELECT id, spec, status, round, model_hash FROM fl_jobs ORDER BY updated_at DESC')
          .all() as (Row & { id: string; model_hash: string | null })[]
      ).map((r) => ({
        id: r.id,
        status: r.status,
        round: r.round,
        rounds: JSON.parse(r.spec).rounds,
        modelHash: r.model_hash ?? undefined,
      })),
    close: () => db.close(),
  }
}
