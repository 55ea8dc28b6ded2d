import { describe, expect, it } from 'vitest'
import { QUICK_RESULT_GAP_MS, ResultPace, tasksToSend } from './pipeline.js'

describe('pipeline depth', () => {
  it('keeps two tasks per slot and at least two queued; quick tasks are topped up in batches', () => {
    // one slot: depth 3
    expect(tasksToSend(1, 0, false)).toBe(3)
    expect(tasksToSend(1, 2, false)).toBe(1)
    expect(tasksToSend(1, 3, false)).toBe(0)
    expect(tasksToSend(1, 2, true)).toBe(3) // up to 5: one write, three tasks
    expect(tasksToSend(1, 3, true)).toBe(0) // not below the depth yet: nothing (no write per result)
    expect(tasksToSend(1, 4, true)).toBe(0)
    // four slots: depth 8
    expect(tasksToSend(4, 7, false)).toBe(1)
    expect(tasksToSend(4, 7, true)).toBe(6)
    expect(tasksToSend(4, 8, true)).toBe(0)
  })

  it('calls results quick once their moving-average gap is under the threshold', () => {
    const pace = new ResultPace()
    expect(pace.quick).toBe(false)
    pace.heard(0)
    expect(pace.quick).toBe(false) // one result: no gap yet
    pace.heard(1)
    expect(pace.quick).toBe(true)
    // a run of slow results turns it off, and quick ones back on
    let t = 1
    const hearAfter = (gap: number) => {
      t += gap
      pace.heard(t)
    }
    for (let i = 0; i < 20; i++) hearAfter(50)
    expect(pace.quick).toBe(false)
    for (let i = 0; i < 20; i++) hearAfter(1)
    expect(pace.quick).toBe(true)
    // one slow gap among quick ones is averaged, not obeyed
    hearAfter(QUICK_RESULT_GAP_MS * 3)
    expect(pace.quick).toBe(true)
  })
})
