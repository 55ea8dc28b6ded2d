import { describe, expect, it } from 'vitest'
import { CurrentWork } from './current-work.js'

const terms = (id: string) => ({
  agreementId: id,
  jobId: `job-${id}`,
  requester: `12D3KooW${id}`,
  modelHash: 'ab'.repeat(32),
  pricePerUnit: '1000',
  escrow: { jobId: '7' },
})

describe('CurrentWork', () => {
  it('counts each stream’s tasks, units and earnings at the agreed price; newest first', () => {
    let t = 1_000
    const w = new CurrentWork(() => t)
    w.open(terms('a'))
    t = 2_000
    w.open(terms('b'))
    w.started('a')
    w.started('a')
    w.started('b')
    t = 2_500
    w.ended('a', true, 30)
    w.ended('a', false, 30)
    expect(w.list().map((e) => e.agreementId)).toEqual(['b', 'a'])
    expect(w.list()[1]).toEqual({
      agreementId: 'a',
      jobId: 'job-a',
      requester: '12D3KooWa',
      kind: 'onnx-inference',
      modelHash: 'ab'.repeat(32),
      escrowJob: '7',
      pricePerUnit: '1000',
      since: 1_000,
      lastAt: 2_500,
      running: 0,
      completed: 1,
      failed: 1,
      units: 30,
      earned: '30000',
    })
    expect(w.list()[0]).toMatchObject({ running: 1, completed: 0 })
    // unknown agreements change nothing
    w.started('zz')
    w.ended('zz', true, 5)
    expect(w.list()).toHaveLength(2)
  })

  it('keeps a closed stream for keepMs, and at most `max` entries (closed ones dropped first)', () => {
    let t = 0
    const w = new CurrentWork(() => t, 1_000, 3)
    w.open(terms('a'))
    w.closed('a')
    t = 999
    expect(w.list().map((e) => e.closedAt)).toEqual([0])
    t = 1_001
    expect(w.list()).toEqual([])
    w.open(terms('b'))
    w.closed('b')
    for (const id of ['c', 'd', 'e']) w.open(terms(id))
    expect(w.list().map((e) => e.agreementId)).toEqual(['e', 'd', 'c'])
  })
})
