import { describe, expect, it } from 'vitest'
import type { IdleMonitor } from './idle-monitor.js'
import { LivePolicy, type SavedPolicyPatch } from './live-policy.js'
import type { ProviderTerms } from './types.js'

/** An idle monitor whose state the test sets. */
function fakeIdle(state: 'idle' | 'busy' = 'idle') {
  const m = Object.assign(new EventTarget(), {
    state,
    foreignLoad: 0,
    running: true,
    start() {},
    stop() {
      m.running = false
    },
  })
  return m as typeof m & IdleMonitor
}

function setup(o: { paused?: boolean; idle?: IdleMonitor } = {}) {
  const terms: ProviderTerms = {
    threads: 4,
    pricePerUnit: 1000n,
    maxModelBytes: 1,
    maxTaskBytes: 1,
    kinds: ['onnx-inference'],
  }
  const saved: SavedPolicyPatch[] = []
  const made: ReturnType<typeof fakeIdle>[] = []
  const live = new LivePolicy({
    terms,
    cores: 8,
    cpuShare: 0.5,
    paused: o.paused ?? false,
    idle: o.idle,
    createIdle: () => {
      made.push(fakeIdle('busy'))
      return made.at(-1)!
    },
    save: async (p) => {
      saved.push(p)
    },
  })
  return { live, terms, saved, made }
}

describe('LivePolicy', () => {
  it('a new price changes the ask the agent reads and is saved in base units', async () => {
    const { live, terms, saved } = setup()
    const view = await live.apply({ price: '0.002' })
    expect(terms.pricePerUnit).toBe(2_000_000_000_000n)
    expect(view).toMatchObject({ price: '0.002', pricePerUnit: '2000000000000' })
    expect(saved).toEqual([{ pricePerUnit: '2000000000000' }])
  })

  it("the owner's pause closes the gate until resumed, and survives a restart (saved)", async () => {
    const { live, saved } = setup()
    expect(live.gate.accepting()).toBe(true)
    await live.apply({ paused: true })
    expect(live.gate.accepting()).toBe(false)
    expect(live.view().paused).toBe(true)
    await live.apply({ paused: false })
    expect(live.gate.accepting()).toBe(true)
    expect(saved).toEqual([{ paused: true }, { paused: false }])
    expect(setup({ paused: true }).live.gate.accepting()).toBe(false)
  })

  it('idle-only mode turned on starts a monitor whose busy machine closes the gate; off stops it', async () => {
    const { live, made, saved } = setup()
    await live.apply({ idleOnly: true })
    expect(made).toHaveLength(1)
    expect(live.gate.accepting()).toBe(false)
    expect(live.view()).toMatchObject({ idleOnly: true, machine: 'busy' })
    made[0].state = 'idle'
    expect(live.gate.accepting()).toBe(true)
    await live.apply({ idleOnly: false })
    expect(made[0].running).toBe(false)
    expect(live.view().idleOnly).toBe(false)
    expect(saved).toEqual([{ idleOnly: { enabled: true } }, { idleOnly: { enabled: false } }])
  })

  it('a smaller cpu share lowers the slots now; a larger one waits for a restart and says so', async () => {
    const { live, terms } = setup()
    expect((await live.apply({ cpuShare: 0.25 })).threads).toBe(2)
    expect(terms.threads).toBe(2)
    const more = await live.apply({ cpuShare: 1 })
    expect(terms.threads).toBe(4)
    expect(more.pending).toMatch(/asks for 8 worker threads; this run started 4/)
  })

  it('refuses bad changes naming the field, and changes nothing', async () => {
    const { live, terms, saved } = setup()
    for (const [input, msg] of [
      [{ price: '-1' }, /price: price must be MUT per 1,000/],
      [{ price: 5 }, /price: price must be a string/],
      [{ cpuShare: 0 }, /cpuShare: cpuShare must be more than 0/],
      [{ paused: 'yes' }, /paused: paused must be true or false/],
      [{ threads: 99 }, /Unrecognized key|unrecognized/i],
      [{}, /name at least one of/],
      [null, /invalid policy change/],
    ] as const)
      await expect(live.apply(input)).rejects.toThrow(msg)
    expect(terms.pricePerUnit).toBe(1000n)
    expect(saved).toEqual([])
  })
})
