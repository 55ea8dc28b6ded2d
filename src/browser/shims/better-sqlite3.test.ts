import { createRequire } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import { type Db, migrate, openDb } from '../../store/db.js'
import Database, { loadSqlite } from './better-sqlite3.js'

const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm')

describe('better-sqlite3 over sql.js (the tab’s database)', () => {
  beforeAll(() => loadSqlite(wasm))

  it('runs every migration of the node schema, then prepare/run/get/all with positional parameters', () => {
    const db = new Database() as unknown as Db
    migrate(db)
    // the same schema version as the node's own database (better-sqlite3)
    const native = openDb(':memory:')
    expect(db.pragma('user_version', { simple: true })).toBe(native.pragma('user_version', { simple: true }))
    native.close()
    const insert = db.prepare(
      'INSERT INTO provider_receipts (escrow_job, task_id, units, input_hash, output_hash) VALUES (?, ?, ?, ?, ?)',
    )
    expect(insert.run('7', 't1', 3, 'a', 'b').changes).toBe(1)
    insert.run('7', 't2', 5n, 'c', 'd')
    expect(db.prepare('SELECT units FROM provider_receipts WHERE task_id = ?').get('t2')).toEqual({
      units: 5,
    })
    const rows = db
      .prepare('SELECT task_id FROM provider_receipts WHERE escrow_job = ? ORDER BY task_id')
      .all('7')
    expect(rows).toEqual([{ task_id: 't1' }, { task_id: 't2' }])
    expect(db.prepare('SELECT * FROM provider_receipts WHERE task_id = ?').get('none')).toBeUndefined()
  })

  it('rolls a transaction back when it throws, nested ones included, and keeps what committed', () => {
    const db = new Database()
    db.exec('CREATE TABLE t (x INTEGER)')
    const add = db.prepare('INSERT INTO t (x) VALUES (?)')
    db.transaction(() => add.run(1))()
    expect(() =>
      db.transaction(() => {
        add.run(2)
        db.transaction(() => add.run(3))()
        throw new Error('boom')
      })(),
    ).toThrow('boom')
    expect(db.prepare('SELECT x FROM t').all()).toEqual([{ x: 1 }])
    expect(db.exportBytes().subarray(0, 15)).toEqual(new TextEncoder().encode('SQLite format 3'))
  })
})
