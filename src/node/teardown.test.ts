import { describe, expect, it } from 'vitest'
import { Teardown } from './teardown.js'

describe('Teardown', () => {
  it('stops the last started first', async () => {
    const order: string[] = []
    const t = new Teardown()
    for (const n of ['db', 'chain', 'host']) t.add(n, () => order.push(n))
    await t.run()
    expect(order).toEqual(['host', 'chain', 'db'])
    expect(t.names).toEqual([])
  })
  it('runs every step past failures and reports each failure', async () => {
    const ran: string[] = []
    const t = new Teardown()
    t.add('db', () => ran.push('db'))
    t.add('chain', async () => {
      ran.push('chain')
      throw new Error('anvil would not die')
    })
    t.add('host', () => {
      ran.push('host')
      throw new Error('port busy')
    })
    const err = await t.run().catch((e) => e)
    expect(ran).toEqual(['host', 'chain', 'db'])
    expect(err).toBeInstanceOf(AggregateError)
    expect(err.message).toBe(
      '2 parts failed to stop: stopping host failed: port busy; stopping chain failed: anvil would not die',
    )
  })
  it('a single failure is thrown as it is, named', async () => {
    const t = new Teardown()
    t.add('api', () => Promise.reject(new Error('closed twice')))
    await expect(t.run()).rejects.toThrow('stopping api failed: closed twice')
  })
})
