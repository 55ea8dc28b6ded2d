import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { kadDHT, removePublicAddressesMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'

/** Options of the node's libp2p host. */
export interface HostOptions {
  privateKey: PrivateKey
  /** Interface to bind (`127.0.0.1` by default). */
  host?: string
  tcpPort?: number
  wsPort?: number
  /** Discover peers on the LAN. */
  mdns?: boolean
}

/** The Kademlia protocol of the Mutirão network (kept apart from the public IPFS DHT). */
export const DHT_PROTOCOL = '/mutirao/kad/1.0.0'

/**
 * Create (not start) the libp2p host: TCP + WebSockets, noise, yamux, identify, ping, Kademlia, gossipsub,
 * and mDNS when asked.
 */
export async function createHost(options: HostOptions) {
  const host = options.host ?? '127.0.0.1'
  const peerDiscovery = options.mdns ? [mdns({ interval: 2000 })] : []
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: {
      listen: [`/ip4/${host}/tcp/${options.tcpPort ?? 0}`, `/ip4/${host}/tcp/${options.wsPort ?? 0}/ws`],
    },
    transports: [tcp(), webSockets()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: { maxConnections: 300 },
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: false,
        peerInfoMapper: host === '127.0.0.1' ? (p) => p : removePublicAddressesMapper,
        allowQueryWithZeroPeers: true,
      }),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        heartbeatInterval: 700,
      }),
    },
  })
}

/** The started host's type, with its services. */
export type Host = Awaited<ReturnType<typeof createHost>>
