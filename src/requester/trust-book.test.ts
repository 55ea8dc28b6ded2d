import { describe, expect, it } from 'vitest'
import { openDb } from '../store/db.js'
import { adaptive } from '../verify/index.js'
import { TrustBook } from './trust-book.js'

describe('TrustBook', () => {
  it("keeps a job's adaptive book for the next job; an excluded provider keeps no trust", () => {
    const db = openDb(':memory:')
    const book = new TrustBook(db)
    expect(book.get('a')).toBeUndefined()
    const job1 = adaptive({ seed: 1, prior: book.prior })
    for (let i = 0; i < 30; i++) {
      job1.record({ provider: 'a', task: `t${i}`, verdict: 'valid' })
      job1.record({ provider: 'b', task: `t${i}`, verdict: i < 2 ? 'invalid' : 'valid' })
    }
    book.save(job1.snapshot().providers)
    expect(book.get('a')).toEqual({ streak: 30, record: 30 })
    expect(book.get('b')).toEqual({ streak: 0, record: 0 }) // two lost votes: excluded in job 1
    // the next job starts `a` trusted and `b` from scratch
    const job2 = adaptive({ seed: 2, prior: new TrustBook(db).prior })
    expect(job2.checkProbability('a')).toBeCloseTo(15 / 30, 9)
    expect(job2.checkProbability('b')).toBe(1)
    db.close()
  })
})
