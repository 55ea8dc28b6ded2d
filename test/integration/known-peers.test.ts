import { afterEach, describe, expect, it } from 'vitest'
import { connect } from '../../src/sdk/client.js'
import { startNetwork, startNodeProcess, type TestNetwork, type TestNode } from '../helpers/network.js'

describe('a restarted node rejoins the peers it knew, without its bootstrap list', () => {
  let net: TestNetwork | undefined
  let again: TestNode | undefined
  afterEach(async () => {
    await again?.stop()
    await net?.stop()
    again = net = undefined
  })

  it('a provider stopped and started again with no --bootstrap connects to the requester it knew', async () => {
    net = await startNetwork({ providers: 1 })
    const provider = net.providers[0]
    // the requester is known to the provider once they are connected
    const client = await connect({ dataDir: provider.dataDir })
    const deadline = Date.now() + 20_000
    while (((await client.node()) as { peers: number }).peers < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200))
    await provider.stop()
    net.providers.length = 0

    again = await startNodeProcess('provider-again', provider.dataDir, ['--provide', ...net.chain.args])
    const restarted = await connect({ dataDir: provider.dataDir })
    const until = Date.now() + 20_000
    let peers: string[] = []
    while (Date.now() < until) {
      const s = (await restarted.node()) as { connections: { peer: string }[] }
      peers = s.connections.map((c) => c.peer)
      if (peers.includes(net.requester.peerId)) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(peers).toContain(net.requester.peerId)
    expect(again.logs.some((l) => l.includes('dialing peers known from the last run'))).toBe(true)
  }, 90_000)
})
