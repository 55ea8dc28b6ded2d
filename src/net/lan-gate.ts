import { networkInterfaces } from 'node:os'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import { addressScope } from './addresses.js'

/** An IPv4 subnet as a network number and mask. */
interface Subnet {
  net: number
  mask: number
}

const ip4ToInt = (ip: string) => ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0

/** The IPv4 subnets of this machine's interfaces (from `os.networkInterfaces()`'s CIDRs). */
export function localSubnets(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): Subnet[] {
  const out: Subnet[] = []
  for (const info of Object.values(interfaces).flat()) {
    if (info?.family !== 'IPv4' || !info.cidr) continue
    const bits = Number(info.cidr.split('/')[1])
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
    out.push({ net: (ip4ToInt(info.address) & mask) >>> 0, mask })
  }
  return out
}

/**
 * Whether dialing `addr` could reach anything: a private IPv4 address (RFC 1918, 100.64/10, link-local)
 * outside every subnet of this machine is another home's, or another office's, LAN — unreachable from here,
 * and a TCP dial to it hangs until its timeout. libp2p's dial queue tries a peer's addresses one after the
 * other, private before relayed, so such an address would hold up every dial to a NATed peer that
 * advertises its LAN address beside its relayed ones (measured in the box: an offer sent 5 s late).
 */
export function reachableFromHere(addr: string, subnets: Subnet[]): boolean {
  const m = /^\/ip4\/([\d.]+)\//.exec(addr)
  if (!m || addressScope(m[1]!) !== 'private') return true
  const ip = ip4ToInt(m[1]!)
  return subnets.some((s) => (ip & s.mask) >>> 0 === s.net)
}

/**
 * The connection gater of a node off loopback: no dials to private IPv4 addresses of other LANs. The
 * machine's subnets are read once per minute (a laptop changes networks).
 */
export function lanGate(): ConnectionGater {
  let subnets = localSubnets()
  let readAt = Date.now()
  return {
    denyDialMultiaddr: (addr: Multiaddr) => {
      if (Date.now() - readAt > 60_000) {
        subnets = localSubnets()
        readAt = Date.now()
      }
      return !reachableFromHere(addr.toString(), subnets)
    },
  }
}
