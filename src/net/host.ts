import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNAT } from '@libp2p/autonat'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import type { PrivateKey } from '@libp2p/interface'
import { kadDHT } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { webSockets } from '@libp2p/websockets'
import { createLibp2p } from 'libp2p'
import { freePort } from '../free-port.js'
import { isLoopbackOnly, keepAddressesOf } from './addresses.js'
import { tcpFromPort } from './fixed-port-tcp.js'
import { GOSSIP_OPTIONS } from './gossip-options.js'
import { GOSSIP_SCORE_PARAMS } from './gossip-score.js'
import { holePunch } from './hole-punch.js'
import { lanGate } from './lan-gate.js'
import { neighbours } from './neighbours.js'
import { portMapping } from './port-mapping.js'
import { RELAY_LIMITS, type RelayLimits } from './relay-limits.js'
import { wireOf } from './wire.js'

/** Options of the node's libp2p host. */
export interface HostOptions {
  privateKey: PrivateKey
  /** The network whose protocol ids and topics the node speaks (default: `local`). */
  network?: string
  /**
   * Multiaddrs to listen on. When absent: TCP and WebSockets on `host` (127.0.0.1 by default) at
   * `tcpPort` / `wsPort` (0 = any free port).
   */
  listen?: string[]
  host?: string
  tcpPort?: number
  wsPort?: number
  /** Multiaddrs to announce instead of the listen addresses (a public address, a forwarded port). */
  announce?: string[]
  /** Discover peers on the LAN (never on a loopback-only host). */
  mdns?: boolean
  /**
   * NAT traversal (off on a loopback-only host): AutoNAT, relay reservations on `reservations` relays
   * (their `/p2p-circuit` addresses are advertised) and DCUtR hole punching, with outgoing TCP connections
   * leaving from `dialPort` (0 or absent: a free port chosen at start; see `tcpFromPort`), and NAT-PMP port
   * mapping when `portMapping` (not on a relay: it is reachable already).
   */
  nat?: { reservations: number; dialPort?: number; portMapping?: boolean }
  /** Serve as a circuit relay v2 for NATed peers, within `limits`. */
  relay?: { limits?: Partial<RelayLimits> }
}

/** The listen multiaddrs these options stand for. */
export function listenAddresses(options: HostOptions): string[] {
  if (options.listen?.length) return options.listen
  const host = options.host ?? '127.0.0.1'
  return [`/ip4/${host}/tcp/${options.tcpPort ?? 0}`, `/ip4/${host}/tcp/${options.wsPort ?? 0}/ws`]
}

/**
 * Create (not start) the libp2p host: TCP + WebSockets, noise, yamux, identify, ping, Kademlia (off loopback
 * two: a WAN DHT of public addresses and a LAN DHT of private ones), gossipsub;
 * off loopback also the circuit relay transport with `nat.reservations` reservations, AutoNAT, DCUtR and
 * mDNS when asked; a relay server when `relay` is given. The `wire` service holds the network's protocol ids
 * and topics, so every part that holds the host speaks its network's; `neighbours` the connected peers that
 * speak another network's.
 */
export async function createHost(options: HostOptions) {
  const listen = listenAddresses(options)
  const loopback = isLoopbackOnly(listen)
  const nat = !loopback && options.nat ? options.nat : undefined
  // a relay is reachable itself: it holds no reservations elsewhere
  const reservations = options.relay ? 0 : (nat?.reservations ?? 0)
  const peerDiscovery = options.mdns && !loopback ? [mdns({ interval: 2000 })] : []
  const limits = { ...RELAY_LIMITS, ...options.relay?.limits }
  const wire = wireOf(options.network)
  const dialPort = nat ? nat.dialPort || (await freePort(0, '0.0.0.0')) : undefined
  return createLibp2p({
    privateKey: options.privateKey,
    addresses: {
      // one `/p2p-circuit` entry per relay to hold a reservation on
      listen: [...listen, ...Array.from({ length: reservations }, () => '/p2p-circuit')],
      ...(options.announce?.length ? { announce: options.announce } : {}),
    },
    transports: [
      dialPort ? tcpFromPort(dialPort) : tcp(),
      webSockets(),
      ...(nat ? [circuitRelayTransport({ reservationConcurrency: 2 })] : []),
    ],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: { maxConnections: 300 },
    // libp2p pings every connection every 10 s by default, each ping a new stream (protocol negotiation and
    // a peer-store write at both ends); every 30 s cut an idle provider's CPU ~15 % (BENCHMARKS.md, Scale).
    // Task streams have their own heartbeats (4–20 s); a NAT keeps an established TCP mapping for hours.
    connectionMonitor: { pingInterval: 30_000 },
    // off loopback, never dial another LAN's private addresses (they hang; relayed ones would wait behind)
    ...(loopback ? {} : { connectionGater: lanGate() }),
    services: {
      wire: () => wire,
      neighbours: neighbours(wire.network),
      identify: identify(),
      ping: ping(),
      // on loopback one DHT keeps every address (tests, demos); a lone node may query, off loopback
      // queries wait for a first peer (the relay search's random walk spins on an empty table otherwise)
      dht: kadDHT({
        protocol: wire.protocols.dht,
        clientMode: false,
        peerInfoMapper: loopback ? (p) => p : keepAddressesOf('public'),
        allowQueryWithZeroPeers: loopback,
      }),
      // off loopback, a second DHT for the LAN, as IPFS runs one: private addresses stay off the WAN DHT
      ...(loopback
        ? {}
        : {
            lanDht: kadDHT({
              protocol: wire.protocols.lanDht,
              clientMode: false,
              peerInfoMapper: keepAddressesOf('private'),
              logPrefix: 'libp2p:dht-lan',
              datastorePrefix: '/dht-lan',
              metricsPrefix: 'libp2p_dht_lan',
            }),
          }),
      pubsub: gossipsub({ ...GOSSIP_OPTIONS, scoreParams: GOSSIP_SCORE_PARAMS }),
      ...(nat ? { autoNAT: autoNAT(), holePunch: holePunch({ dialPort }) } : {}),
      ...(nat?.portMapping && !options.relay ? { portMapping: portMapping() } : {}),
      ...(options.relay
        ? {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: limits.maxReservations,
                defaultDurationLimit: limits.durationMs,
                defaultDataLimit: BigInt(limits.dataBytes),
              },
            }),
          }
        : {}),
    },
  })
}

/** The started host's type, with its services. */
export type Host = Awaited<ReturnType<typeof createHost>>
