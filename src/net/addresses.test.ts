import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { isLoopbackOnly, keepDialableAddresses, parseMultiaddr } from './addresses.js'

const ID = '12D3KooWG3L2zAH27eRrg98BsU8VQB74ZJuR9ZgHRs18f3k9Fu1a'

describe('listen and peer addresses', () => {
  it('a host is loopback-only when every listen address is on loopback', () => {
    expect(isLoopbackOnly(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'])).toBe(true)
    expect(isLoopbackOnly(['/ip6/::1/tcp/0'])).toBe(true)
    expect(isLoopbackOnly(['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/0'])).toBe(false)
    expect(isLoopbackOnly(['/ip4/198.18.0.11/tcp/4001'])).toBe(false)
  })

  it('peer infos from the DHT lose loopback addresses and keep the rest, relay circuits included', () => {
    const circuit = `/ip4/198.18.0.11/tcp/4001/p2p/${ID}/p2p-circuit`
    const info = keepDialableAddresses({
      id: peerIdFromString(ID),
      multiaddrs: [
        multiaddr('/ip4/127.0.0.1/tcp/4001'),
        multiaddr('/ip4/10.1.0.2/tcp/4001'),
        multiaddr(circuit),
      ],
    })
    expect(info.multiaddrs.map(String)).toEqual(['/ip4/10.1.0.2/tcp/4001', circuit])
  })

  it('a bad --listen value is refused with the flag, the value and an example', () => {
    expect(parseMultiaddr('/ip4/0.0.0.0/tcp/4001', '--listen')).toBe('/ip4/0.0.0.0/tcp/4001')
    expect(() => parseMultiaddr('0.0.0.0:4001', '--listen')).toThrow(
      /--listen 0\.0\.0\.0:4001: not a multiaddr.*e\.g\. \/ip4/,
    )
  })
})
