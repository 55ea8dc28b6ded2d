import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import type { TensorMap } from '../../src/exec/tensor.js'
import { encodeTensors, sliceBatch } from '../../src/exec/tensor-codec.js'
import type { JobSpecInput } from '../../src/requester/job-spec.js'
import { connect } from '../../src/sdk/client.js'
import { compareTensors } from '../../src/verify/index.js'
import { corrupt } from '../helpers/byzantine-executor.js'
import { startByzantineProvider } from '../helpers/byzantine-network.js'
import { startNetwork, type TestNetwork } from '../helpers/network.js'
import { wdbcFeatures } from '../helpers/wdbc.js'

const MODELS = resolve(import.meta.dirname, '../fixtures/models')
const TOL = { mode: 'tolerance' as const }

describe('Byzantine providers (8 provider processes: 3 honest, 5 Byzantine)', () => {
  let net: TestNetwork
  const peers: Record<string, string> = {}
  beforeAll(async () => {
    net = await startNetwork({ providers: 3 })
    const modes = ['always-wrong', 'wrong-10pct', 'lazy', 'colluder', 'colluder'] as const
    const started = await Promise.all(modes.map((m, i) => startByzantineProvider(net, `byz-${i}-${m}`, m)))
    for (const n of started) {
      net.providers.push(n)
      peers[n.name] = n.peerId
    }
  }, 170_000)
  afterAll(async () => {
    await net?.stop()
  })

  async function run(spec: Partial<JobSpecInput>, n: number, shardSize: number) {
    const model = new Uint8Array(await readFile(resolve(MODELS, 'mlp.onnx')))
    const inputs: TensorMap = { x: await wdbcFeatures(n, { varied: true }) }
    const client = await connect({ dataDir: net.requester.dataDir })
    const [modelHash, inputsHash] = await Promise.all([
      client.putBlob(model),
      client.putBlob(encodeTensors(inputs)),
    ])
    const accepted = await client.submitSpec({
      kind: 'onnx-inference',
      modelHash,
      inputsHash,
      shardSize,
      providers: { min: 3, max: 8 },
      ...spec,
    } as JobSpecInput)
    const names = (ids: string[]) => ids.map((id) => net.providers.find((p) => p.peerId === id)?.name ?? id)
    const done = await Promise.race([
      client.wait(accepted.jobId).catch(async (err: Error) => {
        const p = await client.job(accepted.jobId)
        const warn = net.requester.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-25)
        throw new Error(
          `${err.message}\nexcluded: ${names(p.verification?.excluded ?? []).join(', ')}\n${warn.join('\n')}`,
        )
      }),
      new Promise<never>((_, fail) =>
        setTimeout(async () => {
          const p = await client.job(accepted.jobId)
          const warn = net.requester.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-25)
          fail(new Error(`job stuck at ${p.shardsDone}/${p.shardsTotal}:\n${warn.join('\n')}`))
        }, 140_000).unref(),
      ),
    ])
    expect(done.status, done.error).toBe('done')
    const outputs = await client.result(accepted.jobId)
    return { done, outputs, inputs, model }
  }

  // Two colluders on one shard can outvote an honest provider; a lost vote alone no longer excludes it (a
  // second one does), which ended the exclusion cascade that stalled about 1 run in 5 (docs/trust.md).
  // One retry: two colluders can still frame an honest provider twice (the documented limit), and on a loaded
  // machine the job then ran out of eligible providers (failed fast) in 1 of ~10 runs measured here.
  it('replicate(3, 2): no wrong result is accepted unless both colluders answered the same shard', {
    timeout: 170_000,
    retry: 1,
  }, async () => {
    const n = 600
    const shardSize = 2
    const { done, outputs, inputs, model } = await run(
      { verification: { policy: 'replicate', k: 3, quorum: 2 } },
      n,
      shardSize,
    )
    let wrong = 0
    for (let s = 0; s < n; s += shardSize) {
      const slice = sliceBatch(inputs, s, s + shardSize)
      const want = await runOnnxLocally(model, slice)
      const got = sliceBatch(outputs, s, s + shardSize)
      if (compareTensors(want, got, TOL).equal) continue
      wrong++
      // the only way to win a vote with a wrong answer: both colluders on the task, with the same answer
      const h = createHash('sha256').update(encodeTensors(slice)).digest()
      const joint = Object.fromEntries(
        Object.entries(want).map(([k, t]) => [k, corrupt(t, 0.25 + h[0] / 256)]),
      )
      expect(compareTensors(joint, got, TOL).equal).toBe(true)
    }
    const v = done.verification!
    // the always-wrong and lazy ones never get a shard accepted; those that took part were outvoted and
    // excluded. (Honest providers can be excluded too: outvoted by the two colluders on one shard.)
    expect(v.excluded.length).toBeGreaterThanOrEqual(1)
    for (const p of [peers['byz-0-always-wrong'], peers['byz-2-lazy']])
      expect(done.providers.find((w) => w.provider === p)?.shards ?? 0).toBe(0)
    // every shard needs a second, distinct provider (the third is not sent once two agree)
    expect(v.replicaTasks).toBeGreaterThanOrEqual(n / shardSize)
    expect(wrong).toBeLessThan(n / shardSize / 50)
  })

  // One retry: the job takes ~10 s, shorter than the requester's 10 s between hiring rounds, so a cheater not
  // hired in the first round never works and cannot be caught (CI: 1 failure in ~4 runs; requiring all six with
  // providers.min 6 was worse: a provider sometimes took longer than 60 s to take the job after the first case).
  it('adaptive + canaries: the 10% cheater is caught and excluded', {
    timeout: 170_000,
    retry: 1,
  }, async () => {
    // Colluders leave first: a colluding pair on one shard can outvote an honest provider (twice, and it is
    // excluded: the limit documented in docs/trust.md), and this case asserts only Byzantine exclusions.
    for (const n of net.providers.filter((p) => p.name.includes('colluder'))) await n.stop()
    const { done } = await run({ verification: { policy: 'adaptive+spot', canaryRate: 0.05 } }, 3000, 1)
    const v = done.verification!
    expect(v.excluded).toContain(peers['byz-1-wrong-10pct'])
    // without colluders no honest provider is ever outvoted, so only Byzantine ones are excluded
    expect(v.excluded.every((p) => Object.values(peers).includes(p))).toBe(true)
    expect(v.excluded).toEqual(expect.arrayContaining([peers['byz-0-always-wrong'], peers['byz-2-lazy']]))
    expect(v.canaryTasks).toBeGreaterThan(0)
    expect(v.invalid).toBeGreaterThanOrEqual(3)
  })
})
