import type { PeerInfo } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidInputError } from '../errors.js'

/** Loopback hosts: 127.0.0.0/8, ::1 and `localhost`. */
function isLoopbackHost(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost'
}

/** The host part of a multiaddr string (ip4, ip6 and dns addresses), or undefined. */
function hostOf(addr: string): string | undefined {
  const parts = addr.split('/')
  return ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(parts[1] ?? '') ? parts[2] : undefined
}

/** Whether every one of these listen multiaddrs is on loopback (then the node never leaves the machine). */
export function isLoopbackOnly(listen: string[]): boolean {
  return listen.every((a) => {
    const host = hostOf(a)
    return host !== undefined && isLoopbackHost(host)
  })
}

/** Where an address leads: this machine, a private network (behind a NAT, a LAN), or the internet. */
export type AddressScope = 'loopback' | 'private' | 'public'

const ip4 = (host: string) => host.split('.').map(Number)

/**
 * The scope of an address's host. Private: RFC 1918, shared address space (100.64/10, carrier-grade NAT),
 * link-local, IPv6 unique-local and link-local. Everything else is public, DNS names included — also
 * 198.18.0.0/15, the benchmarking range the internet in a box gives its public segment (libp2p's own
 * `isPrivate` counts it private, so its mappers would hide every public node of the box).
 */
export function addressScope(host: string): AddressScope {
  if (isLoopbackHost(host)) return 'loopback'
  if (host.includes(':')) {
    const h = host.toLowerCase()
    return /^(fc|fd|fe[89ab])/.test(h) ? 'private' : 'public'
  }
  const [a, b] = ip4(host)
  if (Number.isNaN(a) || Number.isNaN(b)) return 'public' // a DNS name
  const priv =
    a === 10 ||
    (a === 172 && b >= 16 && b < 32) ||
    (a === 192 && b === 168) ||
    (a === 100 && b >= 64 && b < 128) ||
    (a === 169 && b === 254)
  return priv ? 'private' : 'public'
}

/** The scope of a multiaddr: of its first host (a relay circuit's is its relay's); public without one. */
export function multiaddrScope(addr: string): AddressScope {
  const host = hostOf(addr)
  return host === undefined ? 'public' : addressScope(host)
}

/**
 * A DHT peer-info mapper that keeps the addresses of one scope: the WAN DHT keeps public addresses (relay
 * circuits through public relays included), the LAN DHT private ones — as IPFS runs its two DHTs, so a home
 * network's addresses never travel the internet's DHT and a LAN finds its own peers without it.
 */
export function keepAddressesOf(scope: 'private' | 'public') {
  return (peer: PeerInfo): PeerInfo => ({
    ...peer,
    multiaddrs: peer.multiaddrs.filter((ma) => multiaddrScope(ma.toString()) === scope),
  })
}

/** Checks a multiaddr given by a user (`--listen`, `--announce`); throws with the reason when invalid. */
export function parseMultiaddr(text: string, flag: string): string {
  try {
    return multiaddr(text).toString()
  } catch (err) {
    throw new InvalidInputError(
      `${flag} ${text}: not a multiaddr (${(err as Error).message}); e.g. /ip4/0.0.0.0/tcp/4001`,
    )
  }
}

/**
 * The host and port of a plain TCP multiaddr string — `/ip4|ip6/<host>/tcp/<port>`, a trailing `/p2p/<id>`
 * allowed, nothing else (no WebSocket, no relay circuit) — with its scope; undefined for anything else.
 */
export function plainTcp(addr: string): { host: string; port: number; scope: AddressScope } | undefined {
  const m = /^\/ip[46]\/([^/]+)\/tcp\/(\d+)(?:\/p2p\/[^/]+)?$/.exec(addr)
  return m ? { host: m[1]!, port: Number(m[2]), scope: addressScope(m[1]!) } : undefined
}

/** The WebSocket addresses among `addrs` (what a browser tab can dial). */
export const webSocketAddresses = (addrs: readonly unknown[]): string[] =>
  addrs.map(String).filter((a) => a.includes('/ws/'))
