import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sineSample } from '../../test/helpers/stream-models.js'
import { encodeTensors } from '../exec/tensor-codec.js'
import { logger } from '../log.js'
import { type Channel, channel } from '../net/channel.js'
import { createHost, type Host } from '../net/host.js'
import { MAX_STREAM_HEADER_BYTES, ToStreamRequesterMsg } from '../protocols/stream-messages.js'
import { blobStore, sha256Hex } from '../store/blob-store.js'
import { type StreamServerStats, serveStreams } from './stream-server.js'

const MLP = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/mlp.onnx', import.meta.url)))

/** A requester that speaks the protocol by hand, so that it can break it. */
describe('stream server: untrusted requesters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mutirao-stream-server-'))
  let provider: Host
  let requester: Host
  let stats: StreamServerStats
  beforeAll(async () => {
    provider = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    requester = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    await provider.start()
    await requester.start()
    stats = await serveStreams({
      host: provider,
      terms: {
        threads: 2,
        pricePerUnit: 0n,
        maxModelBytes: 64 * 1024,
        maxTaskBytes: 16 * 1024,
        kinds: ['onnx-inference'],
      },
      gate: { accepting: () => true },
      blobs: blobStore(dir),
      log: logger('test'),
    })
    await requester.dial(provider.getMultiaddrs()[0])
  })
  afterAll(async () => {
    await Promise.all([provider?.stop(), requester?.stop()])
    rmSync(dir, { recursive: true, force: true })
  })

  const open = async (): Promise<Channel> =>
    channel(await requester.dialProtocol(provider.peerId, requester.services.wire.protocols.stream), {
      maxHeaderBytes: MAX_STREAM_HEADER_BYTES,
      maxBodyBytes: 1 << 20,
    })
  const next = async (ch: Channel) => (await ch.recv(ToStreamRequesterMsg)).header

  it('a model announced above the limit is refused before any byte of it is taken', async () => {
    const ch = await open()
    await ch.send({ t: 'open', modelHash: 'ab'.repeat(32), modelBytes: 10 << 20 })
    expect(await next(ch)).toEqual({
      t: 'error',
      code: 'too-large',
      message: "the model is 10485760 bytes, over this provider's limit of 65536",
    })
  })

  it('model bytes that do not hash to the announced hash are refused and not stored', async () => {
    const ch = await open()
    const forged = 'cd'.repeat(32)
    await ch.send({ t: 'open', modelHash: forged, modelBytes: MLP.length })
    expect(await next(ch)).toEqual({ t: 'need-model' })
    await ch.send({ t: 'model', last: true }, MLP)
    const err = await next(ch)
    expect(err).toMatchObject({ t: 'error', code: 'bad-input' })
    expect(JSON.stringify(err)).toMatch(new RegExp(sha256Hex(MLP)))
  })

  it('more model bytes than announced are refused', async () => {
    const ch = await open()
    await ch.send({ t: 'open', modelHash: sha256Hex(MLP), modelBytes: 100 })
    expect(await next(ch)).toEqual({ t: 'need-model' })
    await ch.send({ t: 'model', last: true }, MLP)
    expect(await next(ch)).toEqual({
      t: 'error',
      code: 'bad-input',
      message: 'the model is longer than announced',
    })
  })

  it('garbage and oversized samples are refused one by one; the session answers the next good sample', async () => {
    const ch = await open()
    await ch.send({ t: 'open', modelHash: sha256Hex(MLP), modelBytes: MLP.length })
    let h = await next(ch)
    if (h.t === 'need-model') {
      await ch.send({ t: 'model', last: true }, MLP)
      h = await next(ch)
    }
    expect(h).toEqual({ t: 'ready' })
    await ch.send({ t: 'infer', seq: 0 }, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))
    expect(await next(ch)).toMatchObject({ t: 'error', seq: 0, code: 'bad-input' })
    await ch.send({ t: 'infer', seq: 1 }, encodeTensors(sineSample(1, 29)))
    expect(await next(ch)).toMatchObject({ t: 'error', seq: 1, code: 'bad-input' })
    await ch.send(
      { t: 'infer', seq: 2 },
      encodeTensors({ x: { ...sineSample(2, 30).x, dims: [300, 30], data: new Uint8Array(300 * 30 * 4) } }),
    )
    expect(await next(ch)).toMatchObject({ t: 'error', seq: 2, code: 'bad-input' })
    await ch.send({ t: 'infer', seq: 3 }, encodeTensors(sineSample(3, 30)))
    expect(await next(ch)).toEqual({ t: 'out', seq: 3 })
    await ch.close()
    expect(stats.samples).toBeGreaterThanOrEqual(1)
  })
})
