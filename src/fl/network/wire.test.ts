import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channel } from '../../net/channel.js'
import { createHost, type Host } from '../../net/host.js'
import { signPayload } from '../../net/signing.js'
import { weightsFromBytes, weightsToBytes } from './codec.js'
import { FL_DOMAIN, FL_FRAME_LIMITS, HolderMessage } from './protocol.js'
import { type FlWire, flWire } from './wire.js'

describe('fl wire: signed frames between two real libp2p hosts', () => {
  let a: Host
  let b: Host
  const keys: Awaited<ReturnType<typeof generateKeyPair>>[] = []
  const inbox: Promise<FlWire>[] = []
  beforeAll(async () => {
    keys.push(await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519'))
    a = await createHost({ privateKey: keys[0] })
    b = await createHost({ privateKey: keys[1] })
    await Promise.all([a.start(), b.start()])
    await b.handle('/test/fl-wire/1', (stream, conn) => {
      inbox.push(Promise.resolve(flWire(stream, { key: keys[1], remotePeer: conn.remotePeer.toString() })))
    })
  })
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
  })

  const open = async () => {
    const stream = await a.dialProtocol(b.getMultiaddrs()[0], '/test/fl-wire/1')
    await new Promise((r) => setTimeout(r, 50))
    return { stream, server: await inbox.at(-1)! }
  }

  it('delivers a signed update with its float32 body', async () => {
    const { stream, server } = await open()
    const w = flWire(stream, { key: keys[0], remotePeer: b.peerId.toString() })
    const weights = Float32Array.from([1.5, -2, 3.25])
    await w.send(
      { t: 'update', job: 'j', round: 1, attempt: 0, numSamples: 5, loss: 0.1 },
      weightsToBytes(weights),
    )
    const got = await server.recv(HolderMessage)
    expect(got.header.t).toBe('update')
    expect(weightsFromBytes(got.body, 3)).toEqual(weights)
  })

  it('rejects a body that does not match its signed hash, and a header signed by someone else', async () => {
    const { stream, server } = await open()
    const raw = channel(stream, FL_FRAME_LIMITS)
    const header = {
      t: 'update',
      job: 'j',
      round: 1,
      attempt: 0,
      numSamples: 5,
      loss: 0.1,
      body: '0'.repeat(64),
    }
    await raw.send({ ...header, sig: await signPayload(keys[0], FL_DOMAIN, header) }, new Uint8Array(8))
    await expect(server.recv(HolderMessage)).rejects.toThrow(/does not match its signed hash/)
    const { stream: s2, server: server2 } = await open()
    const forged = { t: 'join', job: 'j', round: 0, attempt: 0 }
    await channel(s2, FL_FRAME_LIMITS).send({ ...forged, sig: await signPayload(keys[1], FL_DOMAIN, forged) })
    await expect(server2.recv(HolderMessage)).rejects.toMatchObject({ name: 'BadSignatureError' })
  })
})
