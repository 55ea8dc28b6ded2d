import Database from 'better-sqlite3'

/** The node's SQLite database. */
export type Db = Database.Database

/** One schema migration: applied once, in order, recorded in `user_version`. */
export type Migration = (db: Db) => void

const MIGRATIONS: Migration[] = [
  (db) => {
    db.exec(`
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        status TEXT NOT NULL,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        finished_at INTEGER,
        result_hash TEXT
      );
      CREATE TABLE shards (
        job_id TEXT NOT NULL REFERENCES jobs(id),
        idx INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        status TEXT NOT NULL,
        provider TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        units INTEGER NOT NULL,
        output BLOB,
        output_hash TEXT,
        PRIMARY KEY (job_id, idx)
      );
      CREATE INDEX shards_status ON shards(job_id, status);
      CREATE TABLE agreements (
        id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        role TEXT NOT NULL,
        peer TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `)
  },
  (db) => {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN escrow_job TEXT;
      ALTER TABLE jobs ADD COLUMN escrow_price TEXT;
      ALTER TABLE jobs ADD COLUMN reclaimed TEXT;
      CREATE TABLE requester_receipts (
        job_id TEXT NOT NULL,
        provider_eth TEXT NOT NULL,
        task_id TEXT NOT NULL,
        units INTEGER NOT NULL,
        input_hash TEXT NOT NULL,
        output_hash TEXT NOT NULL,
        vouchered INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, task_id)
      );
      CREATE TABLE requester_vouchers (
        job_id TEXT NOT NULL,
        provider_eth TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (job_id, provider_eth)
      );
      CREATE TABLE provider_receipts (
        escrow_job TEXT NOT NULL,
        task_id TEXT NOT NULL,
        units INTEGER NOT NULL,
        input_hash TEXT NOT NULL,
        output_hash TEXT NOT NULL,
        covered_seq INTEGER,
        PRIMARY KEY (escrow_job, task_id)
      );
      CREATE TABLE provider_vouchers (
        escrow_job TEXT PRIMARY KEY,
        requester_eth TEXT NOT NULL,
        price TEXT NOT NULL,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        redeemed_seq INTEGER NOT NULL DEFAULT 0,
        redeemed_amount TEXT NOT NULL DEFAULT '0',
        job_ended INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE provider_redemptions (
        escrow_job TEXT NOT NULL,
        seq INTEGER NOT NULL,
        receipts_root TEXT NOT NULL,
        cumulative_units TEXT NOT NULL,
        paid TEXT NOT NULL,
        tx_hash TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (escrow_job, seq)
      );
    `)
  },
  // How a finished job was verified and what it told its user (JobProgress.verification and notices, JSON),
  // and the budget locked in its escrow.
  (db) => db.exec('ALTER TABLE jobs ADD COLUMN summary TEXT; ALTER TABLE jobs ADD COLUMN escrow_budget TEXT'),
  // Early settlement: a job's payees (providers named on-chain), how its escrow closed (JSON, see
  // RequesterSettlement), and the releases a provider signed (after one, it takes no more work on that job).
  (db) =>
    db.exec(`
      CREATE TABLE requester_payees (
        job_id TEXT NOT NULL,
        provider_eth TEXT NOT NULL,
        peer TEXT NOT NULL,
        PRIMARY KEY (job_id, provider_eth)
      );
      ALTER TABLE jobs ADD COLUMN settlement TEXT;
      CREATE TABLE provider_releases (
        escrow_job TEXT PRIMARY KEY,
        cumulative_units TEXT NOT NULL,
        receipts_root TEXT NOT NULL,
        signature TEXT NOT NULL,
        at INTEGER NOT NULL
      );
    `),
  // The execution provider each stored shard ran on, as its provider reported it (GPU issue)
  (db) => db.exec('ALTER TABLE shards ADD COLUMN ep TEXT'),
  // Adaptive verification's trust in each provider, carried across jobs (src/requester/trust-book.ts)
  (db) =>
    db.exec(`
      CREATE TABLE verification_trust (
        provider TEXT PRIMARY KEY,
        streak INTEGER NOT NULL,
        record INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      )
    `),
]

/** Open (or create) the database and apply pending migrations. */
export function openDb(file: string, migrations: Migration[] = MIGRATIONS): Db {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations)
  return db
}

/** Apply the migrations `db` has not had yet (its `user_version` counts those it has), each in a transaction. */
export function migrate(db: Db, migrations: Migration[] = MIGRATIONS): void {
  const version = db.pragma('user_version', { simple: true }) as number
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v](db)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
