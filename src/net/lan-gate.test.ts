import { describe, expect, it } from 'vitest'
import { lanGate, localSubnets, reachableFromHere } from './lan-gate.js'

describe('lan gate: no dials to other LANs’ private addresses', () => {
  const subnets = localSubnets({
    lo: [
      {
        address: '127.0.0.1',
        netmask: '255.0.0.0',
        family: 'IPv4',
        mac: '',
        internal: true,
        cidr: '127.0.0.1/8',
      },
    ],
    eth0: [
      {
        address: '10.1.0.2',
        netmask: '255.255.255.0',
        family: 'IPv4',
        mac: '',
        internal: false,
        cidr: '10.1.0.2/24',
      },
    ],
  })

  it('lets through our own LAN, public and relayed addresses', () => {
    expect(reachableFromHere('/ip4/10.1.0.7/tcp/4001', subnets)).toBe(true)
    expect(reachableFromHere('/ip4/198.18.0.11/tcp/4001', subnets)).toBe(true)
    expect(
      reachableFromHere('/ip4/198.18.0.11/tcp/4001/p2p/12D3KooWR/p2p-circuit/p2p/12D3KooWX', subnets),
    ).toBe(true)
    expect(reachableFromHere('/dns4/relay.example.org/tcp/4001', subnets)).toBe(true)
    expect(reachableFromHere('/ip4/127.0.0.1/tcp/4001', subnets)).toBe(true)
  })

  it('stops private addresses of other LANs', () => {
    expect(reachableFromHere('/ip4/10.2.0.2/tcp/4001', subnets)).toBe(false)
    expect(reachableFromHere('/ip4/192.168.1.20/tcp/4001/ws', subnets)).toBe(false)
    expect(reachableFromHere('/ip4/100.64.3.4/tcp/4001', subnets)).toBe(false)
  })

  it('as a libp2p connection gater on this machine', async () => {
    const { multiaddr } = await import('@multiformats/multiaddr')
    const gate = lanGate()
    expect(await gate.denyDialMultiaddr!(multiaddr('/ip4/198.18.0.11/tcp/4001'))).toBe(false)
    // no interface of a machine sits in every private range at once
    const denied = await Promise.all(
      ['/ip4/10.250.250.250/tcp/1', '/ip4/172.31.250.250/tcp/1', '/ip4/192.168.250.250/tcp/1'].map((a) =>
        gate.denyDialMultiaddr!(multiaddr(a)),
      ),
    )
    expect(denied.filter(Boolean).length).toBeGreaterThanOrEqual(2)
  })
})
