import { describe, expect, it } from 'vitest'
import { graceFor, SilenceWatch } from './silence-watch.js'

describe('SilenceWatch', () => {
  it('declares a provider gone once it is silent past the grace, checked on time', () => {
    const w = new SilenceWatch(0, 4000, 500)
    let t = 0
    for (; t <= 4000; t += 500) expect(w.check(t), `at ${t}`).toBe(false)
    expect(w.check(t)).toBe(true)
  })

  it('a frame resets the silence', () => {
    const w = new SilenceWatch(0, 4000, 500)
    for (let t = 500; t <= 3500; t += 500) w.check(t)
    w.heard(3600)
    for (let t = 4000; t <= 7500; t += 500) expect(w.check(t), `at ${t}`).toBe(false)
    expect(w.check(8000)).toBe(true)
  })

  it('forgives the one check that comes late after the requester stalled; the next, on time, judges', () => {
    const w = new SilenceWatch(0, 4000, 500)
    w.check(500)
    // the requester's loop blocked 5 s: the provider's heartbeats sit unread in the socket
    expect(w.check(5500)).toBe(false)
    w.heard(5501) // read right after the late check
    expect(w.check(6000)).toBe(false)
    // a provider really silent through a stall is still declared gone on the next check
    const dead = new SilenceWatch(0, 4000, 500)
    expect(dead.check(5500)).toBe(false)
    expect(dead.check(6000)).toBe(true)
  })

  it('a requester late on every check still detects a dead provider (only one check in a row is forgiven)', () => {
    const w = new SilenceWatch(0, 4000, 500)
    expect(w.check(5000)).toBe(false)
    expect(w.check(10_000)).toBe(true)
  })

  it('honours a longer grace (a browser tab asks for one)', () => {
    const w = new SilenceWatch(0, 15_000, 500)
    for (let t = 500; t <= 15_000; t += 500) expect(w.check(t)).toBe(false)
    expect(w.check(15_500)).toBe(true)
  })

  it('a provider asks for more silence within bounds: 4 s at least, 20 s at most', () => {
    expect(graceFor(undefined)).toBe(4000)
    expect(graceFor(1000)).toBe(4000)
    expect(graceFor(15_000)).toBe(15_000)
    expect(graceFor(3_600_000)).toBe(20_000)
  })
})
