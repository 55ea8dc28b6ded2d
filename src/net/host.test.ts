import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { channel } from './channel.js'
import { createHost, type Host } from './host.js'

describe('libp2p host', () => {
  let a: Host
  let b: Host
  beforeAll(async () => {
    a = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    b = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    await a.start()
    await b.start()
    await a.dial(b.getMultiaddrs()[0])
  })
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
  })

  it('listens on TCP and WebSockets on loopback', () => {
    const addrs = b.getMultiaddrs().map(String)
    expect(addrs.some((m) => /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//.test(m))).toBe(true)
    expect(addrs.some((m) => /\/tcp\/\d+\/ws\/p2p\//.test(m))).toBe(true)
  })

  it('round-trips framed messages over one stream, pipelined', async () => {
    const Msg = z.object({ n: z.number() })
    await b.handle('/mutirao/echo/1', async (stream) => {
      const ch = channel(stream)
      for (;;) {
        const { header, body } = await ch.recv(Msg).catch(() => ({ header: null, body: new Uint8Array() }))
        if (!header) return
        await ch.send({ n: header.n * 2 }, body)
      }
    })
    const ch = channel(await a.dialProtocol(b.peerId, '/mutirao/echo/1'))
    const n = 500
    const t0 = performance.now()
    const sends = (async () => {
      for (let i = 0; i < n; i++) await ch.send({ n: i }, new Uint8Array(256))
    })()
    for (let i = 0; i < n; i++) {
      const { header, body } = await ch.recv(Msg)
      expect(header.n).toBe(i * 2)
      expect(body.length).toBe(256)
    }
    await sends
    const perMsg = (performance.now() - t0) / n
    await ch.close()
    expect(perMsg).toBeLessThan(50) // sanity only; timing belongs in bench/
  })

  it('rejects an unknown protocol version with an error, and keeps serving', async () => {
    await expect(a.dialProtocol(b.peerId, '/mutirao/echo/99')).rejects.toThrow(/protocol/i)
    const ch = channel(await a.dialProtocol(b.peerId, '/mutirao/echo/1'))
    await ch.send({ n: 21 })
    expect((await ch.recv(z.object({ n: z.number() }))).header.n).toBe(42)
    await ch.close()
  })

  it('delivers gossip between connected peers', async () => {
    const topic = 'mutirao/test/1'
    a.services.pubsub.subscribe(topic)
    b.services.pubsub.subscribe(topic)
    const got = new Promise<string>((resolve) => {
      b.services.pubsub.addEventListener('message', (evt) => {
        // no gossip-level signature, author or sequence number: payloads carry their own signatures
        if (evt.detail.topic === topic)
          resolve(`${evt.detail.type}: ${new TextDecoder().decode(evt.detail.data)}`)
      })
    })
    const deadline = Date.now() + 10_000
    let delivered: string | undefined
    for (let n = 1; !delivered && Date.now() < deadline; n++) {
      // gossip names a message by its bytes (no author, no sequence number): each try is a new message
      await a.services.pubsub.publish(topic, new TextEncoder().encode(`hello ${n}`)).catch(() => {})
      delivered = await Promise.race([
        got,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 300)),
      ])
    }
    expect(delivered).toMatch(/^unsigned: hello \d+$/)
  })
})
