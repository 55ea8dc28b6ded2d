import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { byteStream, lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { EXIT } from '../../src/cli/exit-codes.js'
import { encodeTensors } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { requestJson } from '../../src/market/rpc.js'
import { channel } from '../../src/net/channel.js'
import { createHost, type Host } from '../../src/net/host.js'
import { signPayload } from '../../src/net/signing.js'
import { DOMAINS } from '../../src/protocols/ids.js'
import { AckSchema } from '../../src/protocols/market-messages.js'
import type { JobProgress } from '../../src/requester/job-spec.js'
import { ApiError, connect } from '../../src/sdk/client.js'
import { runCli, startNetwork, type TestNetwork } from '../helpers/network.js'

const TINY = resolve(import.meta.dirname, '../fixtures/models/tiny.onnx')
const rows = (n: number, width: number) =>
  Array.from({ length: n }, (_, r) => Array.from({ length: width }, (_, c) => Math.cos(r * 7 + c) * 3))

/** A varint (LEB128) of `n`, the length prefix of an lp frame. */
function varint(n: number): Uint8Array {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80)
    n = Math.floor(n / 128)
  }
  out.push(n)
  return Uint8Array.from(out)
}

describe('bad input is refused with a clear error while the nodes keep serving', () => {
  let net: TestNetwork
  let dir: string
  let probe: Host
  let probeKey: PrivateKey
  const submit = async (job: unknown, name: string) => {
    const file = join(dir, name)
    await writeFile(file, typeof job === 'string' ? job : JSON.stringify(job))
    return runCli(['submit', file, '--data-dir', net.requester.dataDir])
  }
  const goodJob = (n: number) => ({
    kind: 'onnx-inference',
    model: TINY,
    inputs: { x: { data: rows(n, 4), dtype: 'float32' } },
    shardSize: 8,
  })

  beforeAll(async () => {
    net = await startNetwork({ providers: 1 })
    dir = await mkdtemp(join(tmpdir(), 'mutirao-bad-'))
    probeKey = await generateKeyPair('Ed25519')
    probe = await createHost({ privateKey: probeKey })
    await probe.start()
    for (const node of [net.requester, ...net.providers]) await probe.dial(multiaddr(node.multiaddrs[0]))
  })
  afterAll(async () => {
    await probe?.stop()
    await net?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('CLI: malformed job file (bad JSON, wrong field type) exits 2 naming the problem', async () => {
    const badJson = await submit('{ "kind": "onnx-inference", "model": ', 'bad.json')
    expect(badJson.code).toBe(EXIT.invalidInput)
    expect(badJson.stderr).toMatch(/bad\.json is not valid JSON/)

    const wrongType = await submit({ ...goodJob(4), shardSize: 'ten' }, 'wrong-type.json')
    expect(wrongType.code).toBe(EXIT.invalidInput)
    expect(wrongType.stderr).toMatch(/shardSize: .*expected number/i)

    const unknownField = await submit({ ...goodJob(4), shards: 3 }, 'unknown-field.json')
    expect(unknownField.code).toBe(EXIT.invalidInput)
    expect(unknownField.stderr).toMatch(/shards/)
  })

  it('CLI: a model file that is not ONNX exits 2 naming it', async () => {
    const fake = join(dir, 'model.onnx')
    await writeFile(fake, 'this is a text file, not an ONNX protobuf\n'.repeat(20))
    const res = await submit({ ...goodJob(4), model: fake }, 'not-onnx.json')
    expect(res.code).toBe(EXIT.invalidInput)
    expect(res.stderr).toMatch(/not an ONNX model/)
  })

  it('CLI: inputs whose shape or dtype do not match the model exit 2 naming the input', async () => {
    const shape = await submit(
      { ...goodJob(4), inputs: { x: { data: rows(3, 5), dtype: 'float32' } } },
      'shape.json',
    )
    expect(shape.code).toBe(EXIT.invalidInput)
    expect(shape.stderr).toContain("input 'x' expects float32[N, 4], got float32[3, 5]")

    const dtype = await submit(
      { ...goodJob(4), inputs: { x: { data: [[1, 2, 3, 4]], dtype: 'int32' } } },
      'dtype.json',
    )
    expect(dtype.code).toBe(EXIT.invalidInput)
    expect(dtype.stderr).toContain("input 'x' expects float32[N, 4], got int32[1, 4]")

    const extra = await submit(
      { ...goodJob(4), inputs: { ...goodJob(4).inputs, y: { data: [1], dtype: 'float32' } } },
      'extra.json',
    )
    expect(extra.code).toBe(EXIT.invalidInput)
    expect(extra.stderr).toContain("input 'y' is not an input of the model")
  })

  it('API: the node itself refuses a non-ONNX model and mismatched inputs (400, named error)', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const inputsHash = await client.putBlob(
      encodeTensors({ x: tensorFromValues('float32', [2, 3], [1, 2, 3, 4, 5, 6]) }),
    )
    const notOnnx = await client.putBlob(new TextEncoder().encode('not a model'))
    const err1 = await client
      .submitSpec({ kind: 'onnx-inference', modelHash: notOnnx, inputsHash })
      .catch((e) => e)
    expect(err1).toBeInstanceOf(ApiError)
    expect(err1).toMatchObject({ status: 400, remoteName: 'InvalidModelError' })
    expect(err1.message).toMatch(/not an ONNX model/)

    const modelHash = await client.putBlob(new Uint8Array(await readFile(TINY)))
    const err2 = await client.submitSpec({ kind: 'onnx-inference', modelHash, inputsHash }).catch((e) => e)
    expect(err2).toMatchObject({ status: 400, remoteName: 'InputMismatchError' })
    expect(err2.message).toContain("input 'x' expects float32[N, 4], got float32[2, 3]")
  })

  it('peer: an oversized frame on /mutirao/task/1 resets the stream', async () => {
    const provider = peerIdFromString(net.providers[0].peerId)
    const stream = await probe.dialProtocol(provider, probe.services.wire.protocols.task)
    // announce a 100 MiB frame (limit: 16 KiB header + 64 MiB body) and send its first KiB
    await byteStream(stream).write(
      Uint8Array.from([...varint(100 * 1024 * 1024), ...new Uint8Array(1024).fill(0x7b)]),
    )
    const answer = await channel(stream)
      .recv(z.unknown(), { signal: AbortSignal.timeout(15_000) })
      .then(
        (f) => ({ frame: f.header }),
        (e: Error) => ({ error: e }),
      )
    // the provider resets the stream at once (no answer, no timeout)
    expect(answer).toHaveProperty('error')
    expect((answer as { error: Error }).error.name).toBe('StreamResetError')
    await expect
      .poll(() => net.providers[0].logs.some((l) => l.includes('bad task frame')), { timeout: 5000 })
      .toBe(true)
    expect(net.providers[0].proc.exitCode).toBeNull()
  })

  it('peer: an oversized frame on /mutirao/offer/1 is answered with an error naming the size', async () => {
    const requester = peerIdFromString(net.requester.peerId)
    const stream = await probe.dialProtocol(requester, probe.services.wire.protocols.offer)
    // a real 200 KB frame; the offer protocol allows 64 KiB of header and no body
    await lpStream(stream).write(new Uint8Array(200_000).fill(0x20))
    const answer = await channel(stream)
      .recv(AckSchema, { signal: AbortSignal.timeout(15_000) })
      .then(
        (f) => ({ frame: f.header }),
        (e: Error) => ({ error: e }),
      )
    // either a clear refusal or a reset; never a timeout, never ok
    if ('frame' in answer)
      expect(answer.frame).toMatchObject({ ok: false, error: expect.stringMatching(/larger than/) })
    else expect(answer.error.name).not.toBe('TimeoutError')
    expect(net.requester.proc.exitCode).toBeNull()
  })

  it('peer: an unknown protocol version (/mutirao/task/99) fails the dial with a protocol error', async () => {
    const provider = peerIdFromString(net.providers[0].peerId)
    const err = await probe.dialProtocol(provider, '/mutirao/task/99').catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).name).toBe('UnsupportedProtocolError')
    expect((err as Error).message).toMatch(/protocol/i)
  })

  it('peer: an offer with a bad signature is refused naming the signature', async () => {
    const requester = peerIdFromString(net.requester.peerId)
    const unsigned = {
      v: 1 as const,
      demandId: 'demand-forged-0001',
      provider: probe.peerId.toString(),
      ethAddress: `0x${'ab'.repeat(20)}`,
      pricePerUnit: '1',
      threads: 2,
      expires: Date.now() + 60_000,
    }
    const good = await signPayload(probeKey, DOMAINS.offer, unsigned)
    const forged = { ...unsigned, signature: Buffer.alloc(64, 7).toString('base64') }
    const ack = await requestJson(probe, requester, probe.services.wire.protocols.offer, forged, AckSchema)
    expect(ack.ok).toBe(false)
    expect(ack.error).toMatch(/Bad mutirao:offer:1 signature/)

    // the same offer signed for a different price no longer verifies
    const altered = { ...unsigned, pricePerUnit: '0', signature: good }
    const ack2 = await requestJson(probe, requester, probe.services.wire.protocols.offer, altered, AckSchema)
    expect(ack2).toMatchObject({ ok: false, error: expect.stringMatching(/Bad mutirao:offer:1 signature/) })
    // the genuine one passes the signature check: it is refused only because no such demand is open
    const ack3 = await requestJson(
      probe,
      requester,
      probe.services.wire.protocols.offer,
      { ...unsigned, signature: good },
      AckSchema,
    )
    expect(ack3).toEqual({ ok: false, error: 'demand closed' })
  })

  it('after all of that, both nodes still serve: a good job submitted from the CLI completes', async () => {
    // one provider: the adaptive policy has no second provider to check it, so the job opts in explicitly
    const res = await submit({ ...goodJob(64), verification: { fallback: 'unchecked' } }, 'good.json')
    expect(res.code, res.stderr).toBe(EXIT.ok)
    const client = await connect({ dataDir: net.requester.dataDir })
    const [job] = (await client.jobs()) as JobProgress[]
    expect(job).toMatchObject({ status: 'done', samplesDone: 64, shardsDone: 8 })
    expect(job.providers.map((p) => p.provider)).toEqual([net.providers[0].peerId])
    const status = (await (await connect({ dataDir: net.providers[0].dataDir })).node()) as {
      provider: { tasks: { completed: number } }
    }
    expect(status.provider.tasks.completed).toBeGreaterThanOrEqual(8)
  })
})
