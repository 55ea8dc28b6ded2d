import { describe, expect, it } from 'vitest'
import { creditExhausted, JOB_CREDIT_STREAMS, MAX_UNVOUCHERED_TASKS } from './credit-limit.js'

describe('provider credit limit', () => {
  it('a restarted requester is served although its crashed process left more than a stream of results unvouchered', () => {
    // CI: 3,000-task job, requester killed -9 with hundreds of results in flight; the old per-job rule
    // (uncovered > 512 → busy) refused every task of the restarted requester for good
    expect(creditExhausted(0, MAX_UNVOUCHERED_TASKS + 100)).toBe(false)
  })

  it('a stream waits once it runs a limit ahead of its vouchers', () => {
    expect(creditExhausted(MAX_UNVOUCHERED_TASKS, MAX_UNVOUCHERED_TASKS)).toBe(false)
    expect(creditExhausted(MAX_UNVOUCHERED_TASKS + 1, MAX_UNVOUCHERED_TASKS + 1)).toBe(true)
  })

  it('reconnecting is no way around the limit: the whole job is capped', () => {
    expect(creditExhausted(0, MAX_UNVOUCHERED_TASKS * JOB_CREDIT_STREAMS + 1)).toBe(true)
  })
})
