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

/**
 * DHT peer-info mapper of a node that is not on loopback: drops the loopback addresses peers report (they
 * name the other peer's own machine, never a path to it) and keeps the rest, relay circuits included.
 */
export function keepDialableAddresses(peer: PeerInfo): PeerInfo {
  return {
    ...peer,
    multiaddrs: peer.multiaddrs.filter((ma) => {
      const host = hostOf(ma.toString())
      return host === undefined || !isLoopbackHost(host)
    }),
  }
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

/** The WebSocket addresses among `addrs` (what a browser tab can dial). */
export const webSocketAddresses = (addrs: readonly unknown[]): string[] =>
  addrs.map(String).filter((a) => a.includes('/ws/'))
