import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recurrentModel, sineSample, tensorsHex } from '../../test/helpers/stream-models.js'
import { logger } from '../log.js'
import { createHost, type Host } from '../net/host.js'
import { LOCAL_NETWORK } from '../net/wire.js'
import { type StreamServerStats, serveStreams } from '../provider/stream-server.js'
import { blobStore } from '../store/blob-store.js'
import { openLocalSession } from './local-session.js'
import { nearestProviders } from './nearest.js'
import { openRemoteSession, StreamFailedError } from './remote-session.js'
import { spotCheck } from './spot-check.js'

const MLP = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/mlp.onnx', import.meta.url)))
const RNN = recurrentModel()
const x = sineSample
const bytesOf = tensorsHex

interface Provider {
  host: Host
  stats: StreamServerStats
}

describe('remote streaming sessions (two libp2p hosts on loopback)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mutirao-stream-'))
  let client: Host
  let a: Provider
  let b: Provider
  const terms = {
    threads: 2,
    pricePerUnit: 1n,
    maxModelBytes: 1 << 20,
    maxTaskBytes: 1 << 16,
    kinds: ['onnx-inference' as const],
  }
  const provider = async (name: string, open = true): Promise<Provider> => {
    const host = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    await host.start()
    const stats = await serveStreams({
      host,
      terms,
      gate: { accepting: () => open },
      blobs: blobStore(join(dir, name)),
      log: logger('test'),
    })
    await client.dial(host.getMultiaddrs()[0])
    return { host, stats }
  }
  beforeAll(async () => {
    client = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    await client.start()
    a = await provider('a')
    b = await provider('b')
  })
  afterAll(async () => {
    await Promise.all([client, a.host, b.host].map((h) => h?.stop()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('answers a pipelined stream exactly as a local session, sending the model once', async () => {
    const local = await openLocalSession(MLP)
    const s = await openRemoteSession(MLP, { host: client, providers: [a.host.peerId] })
    const n = 2000
    let i = 0
    for await (const out of s.stream(Array.from({ length: n }, (_, k) => x(k, 30))))
      expect(bytesOf(out)).toBe(bytesOf(await local.infer(x(i++, 30))))
    expect(i).toBe(n)
    expect(s.served()).toEqual({ [a.host.peerId.toString()]: n })
    await s.close()
    await local.close()
    // a second session finds the model in the provider's store
    const again = await openRemoteSession(MLP, { host: client, providers: [a.host.peerId] })
    expect(bytesOf(await again.infer(x(1, 30)))).toBe(
      bytesOf(await (await openLocalSession(MLP)).infer(x(1, 30))),
    )
    await again.close()
    expect(a.stats.modelsReceived).toBe(1)
    expect(a.stats.samples).toBe(n + 1)
  })

  it('a stateful stream equals the model run call by call with the state fed back, across a failover', async () => {
    const local = await openLocalSession(RNN, { feedback: { h: 'hOut' } })
    const expected: string[] = []
    for (let k = 0; k < 400; k++) expected.push(bytesOf(await local.infer(x(k, 4))))
    await local.close()
    const moves: string[] = []
    const s = await openRemoteSession(RNN, {
      host: client,
      providers: [a.host.peerId, b.host.peerId],
      feedback: { h: 'hOut' },
      window: 16,
      onFailover: (f) => moves.push(`${f.from}→${f.to}`),
    })
    const got: string[] = []
    let k = 0
    for await (const out of s.stream(Array.from({ length: 400 }, (_, j) => x(j, 4)))) {
      got.push(bytesOf(out))
      // the serving provider's connection drops mid-stream, with samples in flight
      if (++k === 150) await client.hangUp(a.host.peerId)
    }
    expect(got).toEqual(expected) // none lost, none twice, the state carried over
    expect(moves).toEqual([`${a.host.peerId}→${b.host.peerId}`])
    const served = s.served()
    expect(served[a.host.peerId.toString()] + served[b.host.peerId.toString()]).toBe(400)
    expect(served[b.host.peerId.toString()]).toBeGreaterThan(0)
    await s.close()
  })

  it('without failover, the pending samples fail with the reason', async () => {
    await client.dial(a.host.getMultiaddrs()[0])
    const s = await openRemoteSession(MLP, { host: client, providers: [a.host.peerId], failover: false })
    await s.infer(x(0, 30))
    const pending = Array.from({ length: 20 }, (_, k) => s.infer(x(k, 30)))
    await client.hangUp(a.host.peerId)
    const settled = await Promise.allSettled(pending)
    const failed = settled.filter((r) => r.status === 'rejected')
    expect(failed.length).toBeGreaterThan(0)
    for (const f of failed) expect((f as PromiseRejectedResult).reason).toBeInstanceOf(StreamFailedError)
    // answers that came before the drop are whole and in order; none after a failure
    const firstFail = settled.findIndex((r) => r.status === 'rejected')
    expect(settled.slice(firstFail).every((r) => r.status === 'rejected')).toBe(true)
    await s.close()
    await client.dial(a.host.getMultiaddrs()[0])
  })

  it("a requester's malformed sample is refused alone; the session and its state go on", async () => {
    const s = await openRemoteSession(RNN, {
      host: client,
      providers: [b.host.peerId],
      feedback: { h: 'hOut' },
    })
    await s.infer(x(0, 4))
    const before = bytesOf(s.state())
    await expect(s.infer(x(1, 5))).rejects.toThrow(/refused by provider .*bad-input/)
    expect(bytesOf(s.state())).toBe(before)
    await expect(s.infer({ ...x(1, 4), h: x(0, 8).x })).rejects.toThrow(/session's state/)
    expect((await s.infer(x(1, 4))).y.dims).toEqual([1, 1])
    await s.close()
  })

  it('refuses a session when the provider is busy, naming why, and fails over to one that is not', async () => {
    const shut = await provider('shut', false)
    await expect(
      openRemoteSession(MLP, { host: client, providers: [shut.host.peerId], failover: false }),
    ).rejects.toThrow(/not taking work now/)
    const s = await openRemoteSession(MLP, { host: client, providers: [shut.host.peerId, b.host.peerId] })
    expect(s.provider()).toBe(b.host.peerId.toString())
    await s.close()
    expect(shut.stats.refused).toBe(2)
    await shut.host.stop()
  })

  it('spot-checks recorded calls of a stateful session on another provider', async () => {
    const s = await openRemoteSession(RNN, {
      host: client,
      providers: [b.host.peerId],
      feedback: { h: 'hOut' },
      record: 0.2,
    })
    for await (const _ of s.stream(Array.from({ length: 300 }, (_, j) => x(j, 4)))) void _
    await s.close()
    expect(s.records().length).toBeGreaterThan(20)
    await client.dial(a.host.getMultiaddrs()[0])
    const report = await spotCheck(client, a.host.peerId, RNN, s.records())
    expect(report).toMatchObject({ checked: s.records().length, mismatches: [] })
    // a tampered record is caught
    const forged = s
      .records()
      .map((r, i) => (i === 3 ? { ...r, outputs: { ...r.outputs, y: x(9, 1).x } } : r))
    const caught = await spotCheck(client, a.host.peerId, RNN, forged)
    expect(caught.mismatches.map((m) => m.index)).toEqual([3])
  })

  it('finds the nearest providers among connected peers by measured round trip', async () => {
    const near = await nearestProviders(client)
    const ids = near.map((m) => m.peer.toString())
    expect(ids).toContain(b.host.peerId.toString())
    for (const m of near) expect(m.rttMs).toBeGreaterThanOrEqual(0)
    expect(near.every((m) => m.peer.toString() !== client.peerId.toString())).toBe(true)
    expect(client.services.wire.protocols.stream).toBe(`/mutirao/${LOCAL_NETWORK}/stream/1`)
  })
})
