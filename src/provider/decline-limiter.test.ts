import { describe, expect, it } from 'vitest'
import { DECLINE_WINDOW_MS, DECLINES_PER_WINDOW, DeclineLimiter } from './decline-limiter.js'

describe('DeclineLimiter', () => {
  it('sends one decline per demand', () => {
    const l = new DeclineLimiter()
    expect(l.allow('R', 'd1', 0)).toBe(true)
    expect(l.allow('R', 'd1', 1)).toBe(false)
    expect(l.allow('R', 'd2', 2)).toBe(true)
  })

  it('at most DECLINES_PER_WINDOW per requester per window, per requester', () => {
    const l = new DeclineLimiter()
    for (let i = 0; i < DECLINES_PER_WINDOW; i++) expect(l.allow('R', `d${i}`, i)).toBe(true)
    expect(l.allow('R', 'more', 100)).toBe(false)
    expect(l.allow('S', 'more', 100)).toBe(true)
    expect(l.allow('R', 'later', DECLINE_WINDOW_MS + 100)).toBe(true)
  })
})
