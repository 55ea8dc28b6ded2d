import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import * as ort from 'onnxruntime-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromOrtResults } from '../../src/exec/ort-tensor.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { createHost, type Host } from '../../src/net/host.js'
import { openLocalSession } from '../../src/stream/local-session.js'
import { openStream } from '../../src/stream/open-stream.js'
import type { RemoteStreamSession } from '../../src/stream/remote-session.js'
import { outputsAsJson } from '../../src/stream/rows.js'
import { CLI, startNetwork, type TestNetwork } from '../helpers/network.js'
import { recurrentModel, sineSample, tensorsHex } from '../helpers/stream-models.js'

const MLP = new Uint8Array(readFileSync(new URL('../fixtures/models/mlp.onnx', import.meta.url)))
const RNN = recurrentModel()
const x = sineSample
const hex = tensorsHex

describe('streaming sessions to provider nodes (separate processes on 127.0.0.1)', () => {
  let net: TestNetwork
  let client: Host
  const addr = (i: number) => net.providers[i].multiaddrs[0]
  beforeAll(async () => {
    net = await startNetwork({ providers: 2, providerArgs: ['--serve-streams', '--price', '0'] })
    client = await createHost({ privateKey: await generateKeyPair('Ed25519') })
    await client.start()
  }, 120_000)
  afterAll(async () => {
    await client?.stop()
    await net?.stop()
  })

  it('10,000 samples through a session at another node return exactly what onnxruntime returns call by call', async () => {
    const direct = await ort.InferenceSession.create(MLP)
    const s = (await openStream({
      model: MLP,
      where: { peer: addr(0) },
      host: client,
    })) as RemoteStreamSession
    const n = 10_000
    let i = 0
    for await (const out of s.stream(
      (function* () {
        for (let k = 0; k < n; k++) yield x(k, 30)
      })(),
    )) {
      const input = x(i++, 30).x
      const ref = fromOrtResults(
        await direct.run({
          x: new ort.Tensor('float32', new Float32Array(input.data.buffer.slice(0)), input.dims),
        }),
      )
      expect(hex(out)).toBe(hex(ref))
    }
    expect(i).toBe(n)
    expect(s.served()).toEqual({ [net.providers[0].peerId]: n })
    await s.close()
    await direct.release()
  }, 120_000)

  it('a provider killed mid-stream (SIGKILL): the stateful stream moves to the next provider, no sample lost or repeated', async () => {
    const reference = await openLocalSession(RNN, { feedback: { h: 'hOut' } })
    const n = 3000
    const expected: string[] = []
    for (let k = 0; k < n; k++) expected.push(hex(await reference.infer(x(k, 4))))
    await reference.close()
    const moves: string[] = []
    const s = (await openStream({
      model: RNN,
      where: { peers: [addr(1), addr(0)] },
      host: client,
      feedback: { h: 'hOut' },
      onFailover: (f) => moves.push(`${f.from}→${f.to}: ${f.reason}`),
    })) as RemoteStreamSession
    const got: string[] = []
    for await (const out of s.stream(
      (function* () {
        for (let k = 0; k < n; k++) yield x(k, 4)
      })(),
    )) {
      got.push(hex(out))
      if (got.length === 1000) void net.providers[1].kill9()
    }
    expect(got.length).toBe(n)
    expect(got).toEqual(expected)
    expect(moves).toHaveLength(1)
    expect(moves[0]).toContain(`${net.providers[1].peerId}→${net.providers[0].peerId}`)
    const served = s.served()
    expect(served[net.providers[1].peerId]).toBeGreaterThanOrEqual(1000)
    expect(served[net.providers[1].peerId] + served[net.providers[0].peerId]).toBe(n)
    await s.close()
  }, 120_000)

  it('mutirao stream --where peer:… --no-failover: rows predicted remotely, then a clear error when the provider is gone', async () => {
    const file = join(net.root, 'rnn.onnx')
    await writeFile(file, RNN)
    const rows = Array.from({ length: 200 }, (_, i) =>
      Array.from({ length: 4 }, (_, j) => Math.cos(i * 0.1 + j).toFixed(4)),
    )
    const run = (args: string[], stdin: string) =>
      new Promise<{ lines: string[]; stderr: string; code: number | null }>((done) => {
        const p = spawn(process.execPath, [CLI, 'stream', '--model', file, '--feedback', 'h=hOut', ...args])
        let out = ''
        let err = ''
        p.stdout.on('data', (d) => (out += d))
        p.stderr.on('data', (d) => (err += d))
        p.on('close', (code) => done({ lines: out.trim().split('\n').filter(Boolean), stderr: err, code }))
        p.stdin.end(stdin)
      })
    const ok = await run(['--where', `peer:${addr(0)}`], rows.map((r) => r.join(',')).join('\n'))
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stderr).toContain(`200 rows predicted, 0 alerts, 0 refused`)
    expect(ok.stderr).toContain(`remote session: 200 by ${net.providers[0].peerId}`)
    const ref = await openLocalSession(RNN, { feedback: { h: 'hOut' } })
    for (let i = 0; i < rows.length; i++) {
      const out = outputsAsJson(
        await ref.infer({ x: tensorFromValues('float32', [1, 4], rows[i].map(Number)) }),
      )
      expect(JSON.parse(ok.lines[i]).outputs).toEqual(out)
    }
    await ref.close()
    // the dead provider of the previous test: the session cannot open, and says so
    const dead = await run(['--where', `peer:${addr(1)}`, '--no-failover', '--json'], '1,2,3,4\n')
    expect(dead.code).not.toBe(0)
    expect(dead.stderr + dead.lines.join('\n')).toMatch(
      /no provider could take the session: provider \w+ is not reachable/,
    )
  }, 120_000)

  it('a node that does not serve sessions says so', async () => {
    await expect(
      openStream({ model: MLP, where: { peer: net.requester.multiaddrs[0] }, host: client, failover: false }),
    ).rejects.toThrow(/is not serving streaming sessions .*--serve-streams/)
  })

  it('where: "nearest" picks a live provider by measured round trip', async () => {
    const s = (await openStream({ model: MLP, where: 'nearest', connect: [addr(0)] })) as RemoteStreamSession
    expect(s.provider()).toBe(net.providers[0].peerId)
    const out = await s.infer(x(7, 30))
    const local = await openLocalSession(MLP)
    expect(hex(out)).toBe(hex(await local.infer(x(7, 30))))
    await local.close()
    await s.close()
  }, 60_000)
})
