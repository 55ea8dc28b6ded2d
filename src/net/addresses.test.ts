import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { addressScope, isLoopbackOnly, keepAddressesOf, parseMultiaddr } from './addresses.js'

const ID = '12D3KooWG3L2zAH27eRrg98BsU8VQB74ZJuR9ZgHRs18f3k9Fu1a'

describe('listen and peer addresses', () => {
  it('a host is loopback-only when every listen address is on loopback', () => {
    expect(isLoopbackOnly(['/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/0/ws'])).toBe(true)
    expect(isLoopbackOnly(['/ip6/::1/tcp/0'])).toBe(true)
    expect(isLoopbackOnly(['/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/0'])).toBe(false)
    expect(isLoopbackOnly(['/ip4/198.18.0.11/tcp/4001'])).toBe(false)
  })

  it('tells loopback, private (NAT, LAN) and public addresses apart; 198.18/15 is the box public range', () => {
    const scopes = (hosts: string[]) => hosts.map(addressScope)
    expect(scopes(['127.0.0.1', '::1', 'localhost'])).toEqual(['loopback', 'loopback', 'loopback'])
    expect(
      scopes(['10.1.0.2', '172.16.0.1', '172.31.9.9', '192.168.1.4', '100.64.0.1', '169.254.3.3', 'fd00::1']),
    ).toEqual(Array(7).fill('private'))
    expect(
      scopes(['198.18.0.11', '172.32.0.1', '100.128.0.1', '8.8.8.8', '2001:db8::1', 'relay.example.org']),
    ).toEqual(Array(6).fill('public'))
  })

  it('the WAN DHT keeps public addresses and relay circuits through public relays; the LAN DHT private ones', () => {
    const circuit = `/ip4/198.18.0.11/tcp/4001/p2p/${ID}/p2p-circuit`
    const info = {
      id: peerIdFromString(ID),
      multiaddrs: [
        multiaddr('/ip4/127.0.0.1/tcp/4001'),
        multiaddr('/ip4/10.1.0.2/tcp/4001'),
        multiaddr('/ip4/198.18.0.20/tcp/4001'),
        multiaddr(circuit),
        multiaddr(`/ip4/192.168.0.1/tcp/4001/p2p/${ID}/p2p-circuit`),
      ],
    }
    expect(keepAddressesOf('public')(info).multiaddrs.map(String)).toEqual([
      '/ip4/198.18.0.20/tcp/4001',
      circuit,
    ])
    expect(keepAddressesOf('private')(info).multiaddrs.map(String)).toEqual([
      '/ip4/10.1.0.2/tcp/4001',
      `/ip4/192.168.0.1/tcp/4001/p2p/${ID}/p2p-circuit`,
    ])
  })

  it('a bad --listen value is refused with the flag, the value and an example', () => {
    expect(parseMultiaddr('/ip4/0.0.0.0/tcp/4001', '--listen')).toBe('/ip4/0.0.0.0/tcp/4001')
    expect(() => parseMultiaddr('0.0.0.0:4001', '--listen')).toThrow(
      /--listen 0\.0\.0\.0:4001: not a multiaddr.*e\.g\. \/ip4/,
    )
  })
})
