import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { ping } from '@libp2p/ping'
import { webSockets } from '@libp2p/websockets'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { GOSSIP_OPTIONS } from '../net/gossip-options.js'
import { neighbours } from '../net/neighbours.js'
import { wireOf } from '../net/wire.js'

/**
 * The libp2p host of a browser tab: WebSockets out (a tab cannot listen; peers reach it over the
 * connections it opened), noise, yamux, identify, ping and gossipsub — the market's demands and adverts —,
 * speaking `network`'s protocol ids and topics (the serving node's).
 * The browser's default gater refuses plain `ws://` and private addresses; the tab dials only the nodes
 * the visitor (or the page that served it) named, and the requesters whose demands it answers, so it
 * allows them.
 */
export async function createTabHost(privateKey: PrivateKey, network?: string) {
  const wire = wireOf(network)
  const host = await createLibp2p({
    privateKey,
    addresses: { listen: [] },
    transports: [webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionGater: { denyDialMultiaddr: () => false },
    connectionManager: { maxConnections: 50 },
    services: {
      wire: () => wire,
      neighbours: neighbours(wire.network),
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub(GOSSIP_OPTIONS),
    },
  })
  return host
}

/** A started tab host. */
export type TabHost = Awaited<ReturnType<typeof createTabHost>>

/** Dial the first of `addresses` that answers (WebSocket multiaddrs with `/p2p/<id>`). */
export async function dialAny(host: TabHost, addresses: readonly string[]): Promise<string> {
  const errors: string[] = []
  for (const a of addresses) {
    try {
      const conn = await host.dial(multiaddr(a), { signal: AbortSignal.timeout(10_000) })
      return conn.remotePeer.toString()
    } catch (e) {
      errors.push(`${a}: ${(e as Error).message}`)
    }
  }
  throw new Error(`no node answered: ${errors.join('; ') || 'no WebSocket address given'}`)
}
