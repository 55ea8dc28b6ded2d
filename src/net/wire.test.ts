import { describe, expect, it } from 'vitest'
import { LOCAL_NETWORK, networkOfProtocol, wireOf } from './wire.js'

describe('network wire ids', () => {
  it('prefix every protocol id and topic with the network, so two networks share none', () => {
    const local = wireOf()
    const test = wireOf('testnet')
    expect(local.network).toBe(LOCAL_NETWORK)
    expect(local.protocols.task).toBe('/mutirao/local/task/1')
    expect(test.protocols.dht).toBe('/mutirao/testnet/kad/1.0.0')
    expect(test.topics.demand).toBe('mutirao/testnet/demand/2')
    const ids = (w: typeof local) => [...Object.values(w.protocols), ...Object.values(w.topics)]
    expect(ids(local).filter((id) => ids(test).includes(id))).toEqual([])
    expect(new Set(ids(test)).size).toBe(ids(test).length)
  })

  it('refuse a name that would not be one path segment', () => {
    for (const bad of ['', 'Test', 'a/b', '-x', 'x'.repeat(41), 'a b'])
      expect(() => wireOf(bad), bad).toThrow(/is not a network name/)
  })

  it('read the network back from a protocol id, and only from a Mutirão one', () => {
    const test = wireOf('testnet')
    for (const id of Object.values(test.protocols)) expect(networkOfProtocol(id)).toBe('testnet')
    expect(networkOfProtocol('/ipfs/id/1.0.0')).toBeUndefined()
    expect(networkOfProtocol('/mutirao/testnet/unknown/1')).toBeUndefined()
    expect(networkOfProtocol('/mutirao/task/1')).toBeUndefined() // the ids of before networks had names
  })
})
