import { describe, expect, it } from 'vitest'
import { type JobLoopState, StarvationWatch } from './starvation-watch.js'

const state = (o: Partial<JobLoopState> = {}): JobLoopState => ({
  banned: 2,
  excluded: 2,
  policy: 'replicate',
  live: 1,
  working: 0,
  remainingShards: 5,
  ...o,
})

describe('StarvationWatch', () => {
  it('fails a job whose remaining providers sat idle with work left for the whole grace period', () => {
    const w = new StarvationWatch(30_000)
    expect(w.update(state(), 0)).toBeUndefined()
    expect(w.update(state(), 29_999)).toBeUndefined()
    const err = w.update(state(), 30_000)
    expect(err?.message).toMatch(/verification cannot complete: 1 provider\(s\) left after 2 banned/)
    expect(err?.message).toMatch(/2 excluded by the replicate policy.*5 remaining shard/)
  })

  it('restarts the grace period whenever a provider works again', () => {
    const w = new StarvationWatch(30_000)
    w.update(state(), 0)
    expect(w.update(state({ working: 1 }), 20_000)).toBeUndefined()
    expect(w.update(state(), 25_000)).toBeUndefined()
    expect(w.update(state(), 54_999)).toBeUndefined()
    expect(w.update(state(), 55_000)).toBeInstanceOf(Error)
  })

  it('never fails a job without banned providers (they may come back) or without work left', () => {
    const w = new StarvationWatch(1_000)
    for (const t of [0, 5_000, 60_000])
      expect(w.update(state({ banned: 0, excluded: 0, live: 0 }), t)).toBeUndefined()
    for (const t of [70_000, 90_000]) expect(w.update(state({ remainingShards: 0 }), t)).toBeUndefined()
  })
})
