import { describe, expect, it } from 'vitest'
import { type BatchClock, MicroBatcher } from './micro-batcher.js'

/** A clock whose timers fire only when the test says so. */
function manualClock() {
  const timers = new Map<number, () => void>()
  let next = 0
  const clock: BatchClock = {
    setTimeout: (fn) => {
      timers.set(++next, fn)
      return next
    },
    clearTimeout: (h) => void timers.delete(h as number),
  }
  const fire = () => {
    const fns = [...timers.values()]
    timers.clear()
    for (const f of fns) f()
  }
  return { clock, fire, pending: () => timers.size }
}

describe('MicroBatcher', () => {
  it('runs up to maxSamples together at once, the rest when the delay passes, in call order', async () => {
    const batches: number[][] = []
    const { clock, fire } = manualClock()
    const b = new MicroBatcher<number, number>(
      async (xs) => {
        batches.push(xs)
        return xs.map((x) => x * 10)
      },
      { maxSamples: 3, maxDelayMs: 5 },
      clock,
    )
    const outs = [1, 2, 3, 4, 5].map((x) => b.submit(x))
    await Promise.all(outs.slice(0, 3))
    expect(batches).toEqual([[1, 2, 3]])
    fire()
    expect(await Promise.all(outs)).toEqual([10, 20, 30, 40, 50])
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ])
  })
  it('a failed batch fails its calls only', async () => {
    const { clock, fire } = manualClock()
    let calls = 0
    const b = new MicroBatcher<number, number>(
      async (xs) => {
        if (++calls === 1) throw new Error('model failed')
        return xs
      },
      { maxSamples: 2, maxDelayMs: 1 },
      clock,
    )
    const first = [b.submit(1), b.submit(2)]
    const second = b.submit(3)
    fire()
    await expect(first[0]).rejects.toThrow('model failed')
    await expect(first[1]).rejects.toThrow('model failed')
    expect(await second).toBe(3)
  })
  it('refuses options that cannot batch', () => {
    expect(() => new MicroBatcher(async (x) => x, { maxSamples: 0, maxDelayMs: 1 })).toThrow(RangeError)
  })
})
