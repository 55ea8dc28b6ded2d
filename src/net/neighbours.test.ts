import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type Host } from './host.js'
import { otherNetworkOf, otherNetworksSentence } from './neighbours.js'
import { wireOf } from './wire.js'

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('otherNetworkOf / otherNetworksSentence', () => {
  const test = Object.values(wireOf('testnet').protocols)
  it('names the other network a peer speaks, and nothing for our own or a plain libp2p peer', () => {
    expect(otherNetworkOf('local', ['/ipfs/id/1.0.0', ...test])).toBe('testnet')
    expect(otherNetworkOf('testnet', test)).toBeUndefined()
    expect(otherNetworkOf('local', ['/ipfs/id/1.0.0', '/ipfs/ping/1.0.0'])).toBeUndefined()
    // a peer that also speaks ours (none does today) trades with us: not "elsewhere"
    expect(otherNetworkOf('local', [...test, ...Object.values(wireOf().protocols)])).toBeUndefined()
  })

  it('says how many peers speak which network, and what to do', () => {
    expect(otherNetworksSentence('local', [])).toBeUndefined()
    expect(
      otherNetworksSentence('local', [
        { network: 'testnet', peers: 2 },
        { network: 'farm', peers: 1 },
      ]),
    ).toBe(
      "3 connected peer(s) speak another network (2 on 'testnet', 1 on 'farm'), not 'local': they never see this node's demands or offers; join theirs with `mutirao init --network <profile>`",
    )
  })
})

describe('two networks on one libp2p swarm', () => {
  let a: Host
  let b: Host
  let c: Host
  beforeAll(async () => {
    ;[a, b, c] = await Promise.all(
      ['local', 'testnet', 'local'].map(async (network) =>
        createHost({ privateKey: await generateKeyPair('Ed25519'), network, mdns: false }),
      ),
    )
    await Promise.all([a.start(), b.start(), c.start()])
    await b.dial(a.getMultiaddrs()[0])
    await c.dial(a.getMultiaddrs()[0])
  })
  afterAll(async () => {
    await Promise.all([a, b, c].map((h) => h?.stop()))
  })

  it('each node sees that a connected peer speaks another network; the same network is not counted', async () => {
    await until('identify', () => a.services.neighbours.others().length > 0)
    expect(a.services.neighbours.others()).toEqual([{ network: 'testnet', peers: 1 }])
    await until('identify on b', () => b.services.neighbours.others().length > 0)
    expect(b.services.neighbours.others()).toEqual([{ network: 'local', peers: 1 }])
    expect(c.services.neighbours.others()).toEqual([])
    expect(a.services.neighbours.explain()).toMatch(/1 on 'testnet'\), not 'local'/)
  })

  it("gossip and protocols never cross: a demand reaches the same network's peer, not the other's", async () => {
    const heard = { b: 0, c: 0 }
    for (const [name, h] of [
      ['b', b],
      ['c', c],
    ] as const) {
      h.services.pubsub.subscribe(h.services.wire.topics.demand)
      h.services.pubsub.addEventListener('message', () => heard[name]++)
    }
    a.services.pubsub.subscribe(a.services.wire.topics.demand)
    await until('c in the mesh', () =>
      a.services.pubsub.getSubscribers(a.services.wire.topics.demand).some((p) => p.equals(c.peerId)),
    )
    // b is connected to a directly: the only thing keeping the demand from it is the topic
    // gossip names a message by its bytes: each try is a new message
    let tries = 0
    await until('the demand reaches c', async () => {
      const bytes = new TextEncoder().encode(`{"try":${++tries}}`)
      await a.services.pubsub.publish(a.services.wire.topics.demand, bytes)
      return heard.c > 0
    })
    expect(heard.b).toBe(0)
    await a.handle(a.services.wire.protocols.task, (stream) => void stream.close())
    await expect(b.dialProtocol(a.peerId, b.services.wire.protocols.task)).rejects.toThrow(/protocol/i)
    await expect(c.dialProtocol(a.peerId, c.services.wire.protocols.task)).resolves.toBeDefined()
  })

  it('forgets a peer once it disconnects', async () => {
    await a.hangUp(b.peerId)
    await until('disconnect', () => a.services.neighbours.others().length === 0)
    expect(a.services.neighbours.explain()).toBeUndefined()
  })
})
