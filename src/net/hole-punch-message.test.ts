import { multiaddr } from '@multiformats/multiaddr'
import { describe, expect, it } from 'vitest'
import { decodeHolePunch, encodeHolePunch, MAX_ADDRESSES } from './hole-punch-message.js'
import { ObservedAddresses } from './observed-addresses.js'

describe('the DCUtR message', () => {
  it('round-trips CONNECT with addresses and an empty SYNC, in the spec’s wire format', () => {
    const addr = multiaddr('/ip4/198.18.0.101/tcp/40000').bytes
    const connect = encodeHolePunch({ type: 'connect', addresses: [addr] })
    // field 1 (varint 100), field 2 (bytes): what go-libp2p and rust-libp2p write
    expect([...connect.slice(0, 4)]).toEqual([0x08, 100, 0x12, addr.length])
    expect(decodeHolePunch(connect)).toEqual({ type: 'connect', addresses: [addr] })
    const sync = encodeHolePunch({ type: 'sync', addresses: [] })
    expect([...sync]).toEqual([0x08, 0xac, 0x02])
    expect(decodeHolePunch(sync)).toEqual({ type: 'sync', addresses: [] })
  })

  it('refuses what a peer should not send: unknown types and fields, no type, truncation, floods', () => {
    expect(() => decodeHolePunch(Uint8Array.from([0x08, 7]))).toThrow(/unknown type 7/)
    expect(() => decodeHolePunch(Uint8Array.from([0x1a, 0]))).toThrow(/unexpected field/)
    expect(() => decodeHolePunch(Uint8Array.from([0x12, 0]))).toThrow(/no type/)
    expect(() => decodeHolePunch(Uint8Array.from([0x08, 100, 0x12, 9, 1]))).toThrow(/does not fit/)
    expect(() => decodeHolePunch(Uint8Array.from([0x08, 0x80]))).toThrow(/truncated/)
    const many = Array.from({ length: MAX_ADDRESSES + 1 }, () => [0x12, 1, 0]).flat()
    expect(() => decodeHolePunch(Uint8Array.from([0x08, 100, ...many]))).toThrow(/over 32 addresses/)
    // the encoder never writes more than a peer accepts
    const addresses = Array.from({ length: MAX_ADDRESSES + 5 }, () => Uint8Array.of(1))
    expect(decodeHolePunch(encodeHolePunch({ type: 'connect', addresses })).addresses).toHaveLength(
      MAX_ADDRESSES,
    )
  })
})

describe('ObservedAddresses', () => {
  it('keeps public TCP addresses on the dial port, newest first, and drops the rest', () => {
    const seen = new ObservedAddresses(40000)
    seen.add('/ip4/198.18.0.101/tcp/40000/p2p/12D3KooWPeer', 'relay-1')
    seen.add('/ip4/10.1.0.2/tcp/40000', 'lan-peer') // private: another peer of the home
    seen.add('/ip4/198.18.0.101/tcp/51515', 'relay-2') // an ephemeral port, seen once
    seen.add('/ip4/198.18.0.101/udp/40000/quic-v1', 'relay-1') // not TCP
    seen.add('/ip4/198.18.0.101/tcp/40000/ws', 'relay-1') // not plain TCP
    seen.add('/ip4/203.0.113.9/tcp/40000', 'relay-2') // the home changed its address
    expect(seen.addresses()).toEqual(['/ip4/203.0.113.9/tcp/40000', '/ip4/198.18.0.101/tcp/40000'])
    expect(seen.addresses(1)).toEqual(['/ip4/203.0.113.9/tcp/40000'])
  })

  it('counts an address on another port once two peers saw it (a NAT that maps the port elsewhere)', () => {
    const seen = new ObservedAddresses(40000)
    seen.add('/ip4/198.18.0.101/tcp/61000', 'relay-1')
    expect(seen.addresses()).toEqual([])
    seen.add('/ip4/198.18.0.101/tcp/61000', 'relay-1') // the same peer again is no second witness
    expect(seen.addresses()).toEqual([])
    seen.add('/ip4/198.18.0.101/tcp/61000', 'relay-2')
    expect(seen.addresses()).toEqual(['/ip4/198.18.0.101/tcp/61000'])
  })

  it('remembers a bounded number of addresses', () => {
    const seen = new ObservedAddresses(40000)
    for (let i = 0; i < 200; i++) seen.add(`/ip4/198.18.1.${i % 250}/tcp/40000`, 'relay')
    expect(seen.addresses(1000).length).toBeLessThanOrEqual(64)
    expect(seen.addresses(1)).toEqual(['/ip4/198.18.1.199/tcp/40000'])
  })
})
