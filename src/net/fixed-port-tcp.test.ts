import net from 'node:net'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Connection, Libp2p } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../free-port.js'
import { tcpFromPort } from './fixed-port-tcp.js'

const portOf = (c: Connection) => Number(c.remoteAddr.toString().split('/tcp/')[1]!.split('/')[0])
const until = async (what: string, ok: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('tcpFromPort: outgoing connections leave from one port', () => {
  let dialPort: number
  let dialer: Libp2p
  const listeners: Libp2p[] = []

  beforeAll(async () => {
    dialPort = await freePort(0, '0.0.0.0')
    const node = async (transport: ReturnType<typeof tcp>) =>
      createLibp2p({
        privateKey: await generateKeyPair('Ed25519'),
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [transport],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        services: { identify: identify() },
      })
    dialer = await node(tcpFromPort(dialPort) as ReturnType<typeof tcp>)
    for (let i = 0; i < 2; i++) listeners.push(await node(tcp()))
  })
  afterAll(async () => {
    await Promise.all([dialer, ...listeners].map((n) => n?.stop()))
  })

  it('two peers at once see the same source port: the fixed one', async () => {
    await Promise.all(listeners.map((l) => dialer.dial(l.getMultiaddrs()[0]!)))
    for (const l of listeners) {
      await until('the inbound connection', () => l.getConnections(dialer.peerId).length > 0)
      expect(portOf(l.getConnections(dialer.peerId)[0]!)).toBe(dialPort)
    }
    // the dialer still listens on its own, different port
    expect(dialer.getMultiaddrs()[0]!.toString()).not.toContain(`/tcp/${dialPort}/`)
  })

  it('a second connection to an address the fixed port already reaches leaves from another port', async () => {
    const target = listeners[0]!
    // the four-tuple (fixed port → target) is taken by the open connection: connect() says EADDRNOTAVAIL
    const second = await dialer.dial(target.getMultiaddrs()[0]!, { force: true })
    expect(second.status).toBe('open')
    await until('two inbound connections', () => target.getConnections(dialer.peerId).length === 2)
    const ports = target.getConnections(dialer.peerId).map(portOf)
    expect(ports).toContain(dialPort)
    expect(ports.filter((p) => p !== dialPort)).toHaveLength(1)
  })

  it('a port someone listens on is not used: dials leave from an ephemeral port', async () => {
    const squatter = net.createServer()
    const busy = await freePort(0, '0.0.0.0')
    await new Promise<void>((ok) => squatter.listen(busy, '0.0.0.0', ok))
    const other = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      transports: [tcpFromPort(busy) as ReturnType<typeof tcp>],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
    })
    try {
      const target = listeners[1]!
      const conn = await other.dial(target.getMultiaddrs()[0]!)
      expect(conn.status).toBe('open')
      await until('the inbound connection', () => target.getConnections(other.peerId).length > 0)
      expect(portOf(target.getConnections(other.peerId)[0]!)).not.toBe(busy)
    } finally {
      await other.stop()
      squatter.close()
    }
  })

  it('the responder of a simultaneous open turns its dialed socket inbound before the upgrade', async () => {
    const server = net.createServer((s) => s.destroy())
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
    const { port } = server.address() as net.AddressInfo
    const transport = tcpFromPort(await freePort(0, '0.0.0.0'))({
      logger: defaultLogger(),
    } as Parameters<ReturnType<typeof tcpFromPort>>[0])
    const seen: string[] = []
    const upgrader = {
      upgradeOutbound: async (
        maConn: { direction: string; close(): Promise<void> },
        opts: { initiator?: boolean },
      ) => {
        seen.push(`${maConn.direction} initiator=${opts.initiator}`)
        await maConn.close()
        throw new Error('stop here')
      },
    }
    try {
      for (const initiator of [true, false]) {
        await expect(
          transport.dial(multiaddr(`/ip4/127.0.0.1/tcp/${port}`), {
            upgrader,
            initiator,
            signal: AbortSignal.timeout(3000),
          } as never),
        ).rejects.toThrow('stop here')
      }
      expect(seen).toEqual(['outbound initiator=true', 'inbound initiator=false'])
    } finally {
      server.close()
    }
  })
})
