import type { Db } from './db.js'

/**
 * Make the rest of this event-loop turn's writes on `db` one transaction, committed when the turn ends
 * (`setImmediate`). A requester receiving many small results writes three rows per result (the shard's
 * output, the payment receipt, the reputation record); autocommitted, each is a WAL commit of its own —
 * measured ~110 µs per result against ~17 µs in batches of 20 on this machine (BENCHMARKS.md, Dispatch).
 * Code that opens its own `db.transaction` meanwhile gets a savepoint inside this one. A crash before the
 * commit loses that turn's writes together, as if those results had not arrived; vouchers are signed from
 * the receipts on a timer, which runs after the commit. Whatever is shown outside the process first commits
 * the open batch ({@link commitTurnNow}), so a client never sees a result that a crash could still lose.
 */
export function batchThisTurn(db: Db, onError: (err: Error) => void): void {
  if (db.inTransaction) return
  db.exec('BEGIN')
  setImmediate(() => {
    try {
      if (db.inTransaction) db.exec('COMMIT')
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK')
      onError(err as Error)
    }
  })
}

/**
 * Commit the open batch now, if there is one (before anything built from its writes leaves the process);
 * its end-of-turn commit then finds nothing to do.
 */
export function commitTurnNow(db: Db): void {
  if (db.inTransaction) db.exec('COMMIT')
}
