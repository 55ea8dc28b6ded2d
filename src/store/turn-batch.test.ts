import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openDb } from './db.js'
import { batchThisTurn, commitTurnNow } from './turn-batch.js'

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function twoConnections() {
  const dir = mkdtempSync(join(tmpdir(), 'turn-batch-'))
  dirs.push(dir)
  const db = openDb(join(dir, 'node.db'), [])
  db.exec('CREATE TABLE t (n INTEGER)')
  return { db, reader: new Database(join(dir, 'node.db'), { readonly: true }) }
}
const count = (r: Database.Database) => (r.prepare('SELECT COUNT(*) AS c FROM t').get() as { c: number }).c
const nextTurn = () => new Promise((r) => setImmediate(r))

describe('batchThisTurn', () => {
  it("commits the turn's writes together when the turn ends; nested transactions become savepoints", async () => {
    const { db, reader } = twoConnections()
    const errors: Error[] = []
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)')
    batchThisTurn(db, (e) => errors.push(e))
    batchThisTurn(db, (e) => errors.push(e)) // a second call in the same turn joins the first
    insert.run(1)
    insert.run(2)
    expect(() =>
      db.transaction(() => {
        insert.run(3)
        throw new Error('inner failure')
      })(),
    ).toThrow('inner failure')
    expect(db.inTransaction).toBe(true)
    expect(count(db)).toBe(2) // the savepoint rolled back only its own row
    expect(count(reader)).toBe(0) // nothing committed yet
    await nextTurn()
    expect(db.inTransaction).toBe(false)
    expect(count(reader)).toBe(2)
    expect(errors).toEqual([])
    // outside a batch, writes autocommit as before
    insert.run(4)
    expect(count(reader)).toBe(3)
    reader.close()
    db.close()
  })

  it('commits the open batch on demand (before its progress is shown); the end of the turn then has nothing to do', async () => {
    const { db, reader } = twoConnections()
    const errors: Error[] = []
    const insert = db.prepare('INSERT INTO t (n) VALUES (?)')
    commitTurnNow(db) // no batch open: nothing happens
    batchThisTurn(db, (e) => errors.push(e))
    insert.run(1)
    expect(count(reader)).toBe(0)
    commitTurnNow(db)
    expect(db.inTransaction).toBe(false)
    expect(count(reader)).toBe(1) // durable before the turn ends
    insert.run(2) // after the early commit, autocommitted
    expect(count(reader)).toBe(2)
    await nextTurn()
    expect(errors).toEqual([])
    expect(count(reader)).toBe(2)
    reader.close()
    db.close()
  })
})
