/**
 * better-sqlite3's synchronous API, for the calls Mutirão makes, over sql.js (SQLite compiled to
 * WebAssembly) — so the provider's payment records (receipts, vouchers, releases) keep their one schema and
 * code in a browser tab. The browser bundle maps `better-sqlite3` here. sql.js loads asynchronously: call
 * {@link loadSqlite} once before opening a database. Databases live in memory; `exportBytes` snapshots one
 * for the tab to keep.
 */
import initSqlJs, { type Database as SqlJsDb, type SqlJsStatic, type SqlValue } from 'sql.js'

let SQL: SqlJsStatic | undefined

/** Load sql.js (`wasmUrl`: where the page serves `sql-wasm.wasm`). */
export async function loadSqlite(wasmUrl: string): Promise<void> {
  SQL ??= await initSqlJs({ locateFile: () => wasmUrl })
}

type Param = SqlValue | bigint | boolean | undefined

const bind = (params: Param[]): SqlValue[] =>
  params.map((p) =>
    typeof p === 'bigint' ? Number(p) : typeof p === 'boolean' ? Number(p) : p === undefined ? null : p,
  )

class Statement {
  constructor(
    private readonly db: Database,
    private readonly sql: string,
  ) {}

  run(...params: Param[]): { changes: number; lastInsertRowid: number } {
    this.db.raw.run(this.sql, bind(params))
    return { changes: this.db.raw.getRowsModified(), lastInsertRowid: 0 }
  }

  get(...params: Param[]): Record<string, SqlValue> | undefined {
    return this.all(...params)[0]
  }

  all(...params: Param[]): Record<string, SqlValue>[] {
    const stmt = this.db.raw.prepare(this.sql)
    try {
      stmt.bind(bind(params))
      const rows: Record<string, SqlValue>[] = []
      while (stmt.step()) rows.push(stmt.getAsObject())
      return rows
    } finally {
      stmt.free()
    }
  }
}

/** An in-memory SQLite database with better-sqlite3's `prepare`, `exec`, `pragma` and `transaction`. */
export default class Database {
  readonly raw: SqlJsDb
  #depth = 0

  constructor(_file?: string) {
    if (!SQL) throw new Error('sql.js is not loaded: call loadSqlite() first')
    this.raw = new SQL.Database()
  }

  prepare(sql: string): Statement {
    return new Statement(this, sql)
  }

  exec(sql: string): this {
    this.raw.exec(sql)
    return this
  }

  pragma(text: string, options?: { simple?: boolean }): unknown {
    // WAL and synchronous have no meaning for an in-memory database
    if (/^\s*(journal_mode|synchronous)\s*=/.test(text)) return undefined
    const res = this.raw.exec(`PRAGMA ${text}`)
    const value = res[0]?.values[0]?.[0]
    return options?.simple ? value : res
  }

  /** `fn` in a transaction (a savepoint when nested), rolled back when it throws. */
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    return (...args: A) => {
      const name = `sp${this.#depth++}`
      this.raw.run(`SAVEPOINT ${name}`)
      try {
        const out = fn(...args)
        this.raw.run(`RELEASE ${name}`)
        return out
      } catch (e) {
        this.raw.run(`ROLLBACK TO ${name}`)
        this.raw.run(`RELEASE ${name}`)
        throw e
      } finally {
        this.#depth--
      }
    }
  }

  /** The whole database as SQLite file bytes. */
  exportBytes(): Uint8Array {
    return this.raw.export()
  }

  close(): void {
    this.raw.close()
  }
}
