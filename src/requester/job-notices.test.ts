import { describe, expect, it } from 'vitest'
import { addNotice, MAX_NOTICES, STALL_MS, STALL_SINGLE_MS, stallDecision } from './job-notices.js'

describe('addNotice', () => {
  it('appends, skips a repeat of the latest notice of the same code, and keeps the newest MAX_NOTICES', () => {
    const p: { notices?: { at: number; code: 'no-offers'; message: string }[] } = {}
    expect(addNotice(p, 'no-offers', 'a', 1)).toBe(true)
    expect(addNotice(p, 'no-offers', 'a', 2)).toBe(false)
    expect(addNotice(p, 'no-offers', 'b', 3)).toBe(true)
    expect(p.notices).toEqual([
      { at: 1, code: 'no-offers', message: 'a' },
      { at: 3, code: 'no-offers', message: 'b' },
    ])
    for (let i = 0; i < 2 * MAX_NOTICES; i++) addNotice(p, 'no-offers', `m${i}`, 10 + i)
    expect(p.notices).toHaveLength(MAX_NOTICES)
    expect(p.notices!.at(-1)!.message).toBe(`m${2 * MAX_NOTICES - 1}`)
  })
})

describe('stallDecision', () => {
  it('by default waits STALL_MS for a second provider, then fails: never accepts unchecked silently', () => {
    for (const single of [true, false]) {
      expect(stallDecision({ since: 0, now: STALL_MS - 1, fallback: undefined, single })).toBe('wait')
      expect(stallDecision({ since: 0, now: STALL_MS, fallback: undefined, single })).toBe('fail')
      expect(stallDecision({ since: 0, now: 10 * STALL_MS, fallback: 'fail', single })).toBe('fail')
    }
  })

  it('accepts unchecked only when the job opted in, sooner when no second provider can come', () => {
    expect(stallDecision({ since: 0, now: STALL_SINGLE_MS, fallback: 'unchecked', single: true })).toBe(
      'accept-unchecked',
    )
    expect(stallDecision({ since: 0, now: STALL_SINGLE_MS, fallback: 'unchecked', single: false })).toBe(
      'wait',
    )
    expect(stallDecision({ since: 0, now: STALL_MS, fallback: 'unchecked', single: false })).toBe(
      'accept-unchecked',
    )
  })
})
