import { serviceCapabilities, type Transport, transportSymbol } from '@libp2p/interface'
import { type TCPComponents, type TCPOptions, tcp } from '@libp2p/tcp'

/**
 * libp2p's TCP transport, with outgoing connections leaving from one fixed local port.
 *
 * Why: hole punching needs a NATed node to know the external address its next connection will leave
 * from. A NAT that keeps ports (endpoint-independent mapping) maps one local port to one external port
 * toward every destination, so when every dial leaves from `port`, the address a relay observes (identify)
 * is the address the punch's simultaneous open will use. Node.js has no `SO_REUSEPORT`, so the port cannot
 * be the listening port (js-libp2p#2620); libuv binds with `SO_REUSEADDR`, which lets many connections
 * share a local port as long as nobody listens on it. A dial whose four-tuple is taken (a connection to
 * the same address in TIME_WAIT) or whose port someone else holds leaves from an ephemeral port instead.
 */
export function tcpFromPort(port: number, init: TCPOptions = {}): (components: TCPComponents) => Transport {
  const fixed = tcp({ ...init, dialOpts: { ...init.dialOpts, localPort: port } as TCPOptions['dialOpts'] })
  const plain = tcp(init)
  return (components) => new FixedPortTcp(fixed(components), plain(components))
}

/** The socket errors that mean the fixed port cannot carry this dial (another will). */
function portBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code
  return code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL'
}

class FixedPortTcp implements Transport {
  readonly [transportSymbol] = true as const
  readonly [Symbol.toStringTag] = '@libp2p/tcp'
  readonly [serviceCapabilities] = ['@libp2p/transport']
  readonly listenFilter: Transport['listenFilter']
  readonly dialFilter: Transport['dialFilter']
  readonly createListener: Transport['createListener']

  constructor(
    private readonly fixed: Transport,
    private readonly plain: Transport,
  ) {
    this.listenFilter = plain.listenFilter.bind(plain)
    this.dialFilter = plain.dialFilter.bind(plain)
    this.createListener = plain.createListener.bind(plain)
  }

  async dial(...[addr, options]: Parameters<Transport['dial']>): ReturnType<Transport['dial']> {
    const opts =
      (options as { initiator?: boolean }).initiator === false
        ? { ...options, upgrader: asResponder(options.upgrader) }
        : options
    try {
      return await this.fixed.dial(addr, opts)
    } catch (err) {
      if (!portBusy(err) || options.signal?.aborted) throw err
      return this.plain.dial(addr, opts)
    }
  }
}

type Upgrader = Parameters<Transport['dial']>[1]['upgrader']

/**
 * The upgrader for the responder's end of a TCP simultaneous open (hole punching): the socket was dialed,
 * yet this end must answer the handshakes and be yamux's server, and yamux reads its role from the
 * connection's direction, not from `initiator` — so the connection is turned inbound before the upgrade.
 */
function asResponder(upgrader: Upgrader): Upgrader {
  return new Proxy(upgrader, {
    get(target, key) {
      if (key === 'upgradeOutbound') {
        return (maConn: { direction: 'inbound' | 'outbound' }, opts: object) => {
          maConn.direction = 'inbound'
          return target.upgradeOutbound(maConn as never, opts as never)
        }
      }
      const value = Reflect.get(target, key, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
