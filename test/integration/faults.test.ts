import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runOnnxLocally } from '../../src/exec/onnx-executor.js'
import type { TensorMap } from '../../src/exec/tensor.js'
import { maxAbsDiff } from '../../src/exec/tensor-codec.js'
import { tensorFromValues, tensorToValues } from '../../src/exec/tensor-values.js'
import type { JobProgress } from '../../src/requester/job-spec.js'
import { connect } from '../../src/sdk/client.js'
import {
  runCli,
  startNetwork,
  startNodeProcess,
  type TestNetwork,
  type TestNode,
} from '../helpers/network.js'

const MLP = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')

/** `n` deterministic rows of the MLP's 30 features (varied, not constant). */
function features(n: number): TensorMap {
  const values = Array.from({ length: n * 30 }, (_, i) => Math.sin(i * 0.37) * 2 + ((i % 30) - 15) / 10)
  return { x: tensorFromValues('float32', [n, 30], values) }
}

/** The job's outputs equal the same model run locally with onnxruntime, in input order. */
async function expectLocalOutputs(outputs: TensorMap, model: Uint8Array, inputs: TensorMap, n: number) {
  const local = await runOnnxLocally(model, inputs)
  expect(outputs.probabilities.dims).toEqual([n, 2])
  expect(maxAbsDiff(outputs.probabilities, local.probabilities)).toBeLessThanOrEqual(1e-6)
  expect(tensorToValues(outputs.label)).toEqual(tensorToValues(local.label))
}

/** Every shard counted once: work per provider adds up exactly to the job's samples and shards. */
function expectEachShardOnce(job: JobProgress) {
  expect(job.status).toBe('done')
  expect(job.samplesDone).toBe(job.samplesTotal)
  expect(job.shardsDone).toBe(job.shardsTotal)
  expect(job.providers.reduce((a, p) => a + p.samples, 0)).toBe(job.samplesTotal)
  expect(job.providers.reduce((a, p) => a + p.shards, 0)).toBe(job.shardsTotal)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** `promise`, or a rejection with `explain()`'s text once `ms` have passed. */
async function withTimeout<T>(promise: Promise<T>, ms: number, explain: () => Promise<string>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => explain().then((text) => reject(new Error(text)), reject), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

describe('faults across separate processes on 127.0.0.1', () => {
  let net: TestNetwork | undefined
  let extra: TestNode | undefined
  afterEach(async () => {
    await extra?.stop()
    await net?.stop()
    extra = undefined
    net = undefined
  })

  it('kill -9 of a provider mid-job: the job completes, outputs equal local, each shard done once', async () => {
    net = await startNetwork({ providers: 3 })
    const model = new Uint8Array(await readFile(MLP))
    const n = 24_000
    const inputs = features(n)
    const client = await connect({ dataDir: net.requester.dataDir })
    // 1,200 small tasks, so that the kill lands in the first half even on a fast machine
    const accepted = await client.submit({ model, inputs, shardSize: 20, providers: { min: 2, max: 3 } })
    expect(accepted.shardsTotal).toBe(1200)

    const byPeer = new Map(net.providers.map((p) => [p.peerId, p]))
    let victim:
      | {
          node: TestNode
          killed: Promise<NodeJS.Signals | null>
          samplesAtKill: number
          jobDoneAtKill: number
        }
      | undefined
    const done = await client.wait(accepted.jobId, {
      onProgress: (p) => {
        if (victim) return
        const started = p.providers.find((w) => w.samples > 0 && byPeer.has(w.provider))
        if (!started) return
        const node = byPeer.get(started.provider)!
        victim = { node, killed: node.kill9(), samplesAtKill: started.samples, jobDoneAtKill: p.samplesDone }
      },
    })
    // the kill really happened in the middle of the job
    expect(victim).toBeDefined()
    expect(victim!.jobDoneAtKill).toBeLessThan(n / 2)
    expect(await victim!.killed).toBe('SIGKILL')

    expectEachShardOnce(done)
    // the dead provider kept only what it finished before the kill; the others did the rest
    const victimWork = done.providers.find((w) => w.provider === victim!.node.peerId)
    expect(victimWork?.samples ?? 0).toBeLessThan(n)
    expect(done.providers.filter((w) => w.provider !== victim!.node.peerId).length).toBeGreaterThanOrEqual(1)
    // the requester noticed the loss (stream reset or missed heartbeats) and took its shards back
    expect(net.requester.logs.some((l) => l.includes('provider lost'))).toBe(true)

    await expectLocalOutputs(await client.result(accepted.jobId), model, inputs, n)
  }, 240_000)

  it('a requester killed (-9) mid-job and restarted on the same data dir resumes and completes the job', async () => {
    net = await startNetwork({ providers: 2 })
    const model = new Uint8Array(await readFile(MLP))
    // 3,000 small tasks: long enough (seconds, even on a fast machine) that the crash lands mid-job
    const n = 60_000
    const inputs = features(n)
    const dataDir = net.requester.dataDir
    let client = await connect({ dataDir })
    const accepted = await client.submit({ model, inputs, shardSize: 20, providers: { min: 1, max: 2 } })

    // wait for the first results, then crash the requester
    let before = await client.job(accepted.jobId)
    const waitUntil = Date.now() + 60_000
    while (before.samplesDone === 0 && Date.now() < waitUntil) {
      await sleep(20)
      before = await client.job(accepted.jobId)
    }
    expect(await net.requester.kill9()).toBe('SIGKILL')
    expect(before.samplesDone).toBeGreaterThan(0)
    expect(before.samplesDone).toBeLessThan(n)

    // restart on the same data dir and chain; its listen port changed, so it dials the providers itself
    extra = await startNodeProcess('requester-restarted', dataDir, [
      ...net.chain.args,
      ...net.providers.flatMap((p) => ['--bootstrap', p.multiaddrs[0]]),
    ])
    client = await connect({ dataDir })
    const resumed = await client.job(accepted.jobId)
    // persisted work is not redone: the restarted node knows at least what the client saw before the crash
    expect(resumed.samplesDone).toBeGreaterThanOrEqual(before.samplesDone)
    expect(extra.logs.some((l) => l.includes('resumed unfinished jobs'))).toBe(true)

    // bounded, so that a hang fails with what the nodes said instead of a bare test timeout
    const done = await withTimeout(client.wait(accepted.jobId), 150_000, async () => {
      const now = await client.job(accepted.jobId).catch((e) => String(e))
      const tail = (name: string, logs: string[]) => `--- ${name}\n${logs.slice(-40).join('\n')}`
      return [
        `job did not finish in 150 s after the restart: ${JSON.stringify(now)}`,
        tail('requester-restarted', extra!.logs),
        ...net!.providers.map((p) => tail(p.name, p.logs)),
      ].join('\n')
    })
    expectEachShardOnce(done)

    const cli = await runCli(['jobs', '--data-dir', dataDir, '--json'])
    expect(cli.code, cli.stderr).toBe(0)
    const listed = (JSON.parse(cli.stdout) as JobProgress[]).find((j) => j.jobId === accepted.jobId)
    expect(listed?.status).toBe('done')
    expect(listed?.samplesDone).toBe(n)

    await expectLocalOutputs(await client.result(accepted.jobId), model, inputs, n)
  }, 240_000)
})
