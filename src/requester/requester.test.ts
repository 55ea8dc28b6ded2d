import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { byzantine } from '../../test/helpers/byzantine-executor.js'
import { type InProcessMarket, startInProcessMarket } from '../../test/helpers/in-process-market.js'
import { wdbcFeatures } from '../../test/helpers/wdbc.js'
import { runOnnxLocally } from '../exec/onnx-executor.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import { decodeTensors, encodeTensors, maxAbsDiff } from '../exec/tensor-codec.js'
import { explainJob } from './job-explain.js'
import type { JobSpecInput } from './job-spec.js'

const MLP = new Uint8Array(readFileSync(new URL('../../test/fixtures/models/mlp.onnx', import.meta.url)))

/**
 * The requester and provider roles together, in one process: real libp2p hosts on 127.0.0.1, the market
 * (demand, offers, agreements), task streams, ONNX executors and the job logic (dispatch, verification,
 * re-dispatch, cancel). No chain: the work is unpaid (payments are tested with the chain in test/integration).
 */
describe('requester and providers in one process', () => {
  let market: InProcessMarket | undefined
  afterEach(async () => {
    await market?.stop()
    market = undefined
  })

  async function run(spec: Partial<JobSpecInput>, rows = 60) {
    const m = market!
    const x = await wdbcFeatures(rows, { varied: true })
    const modelHash = await m.blobs.put(MLP)
    const inputsHash = await m.blobs.put(encodeTensors({ x }))
    const submitted = await m.requester.submit({
      kind: 'onnx-inference',
      modelHash,
      inputsHash,
      shardSize: 10,
      ...spec,
    } as JobSpecInput)
    return { submitted, x, done: m.requester.wait(submitted.jobId) }
  }

  async function expectLocal(jobId: string, x: Awaited<ReturnType<typeof wdbcFeatures>>) {
    const got = decodeTensors(await market!.requester.result(jobId))
    const local = await runOnnxLocally(MLP, { x })
    for (const name of Object.keys(local))
      expect(maxAbsDiff(got[name], local[name])).toBeLessThanOrEqual(1e-6)
  }

  it('splits a job across two providers; the outputs equal onnxruntime run here; each provider is named', async () => {
    market = await startInProcessMarket([{}, {}])
    const { x, done } = await run({ verification: { policy: 'none' }, providers: { min: 2, max: 2 } })
    const job = await done
    expect(job.status).toBe('done')
    expect(job.samplesDone).toBe(60)
    expect(job.shardsDone).toBe(6)
    expect(new Set(job.providers.filter((p) => p.samples > 0).map((p) => p.provider))).toEqual(
      new Set(market.providers.map((p) => p.peerId)),
    )
    await expectLocal(job.jobId, x)
    // the store keeps it: listed after the run, with the same figures
    expect(market.requester.list().find((j) => j.jobId === job.jobId)).toMatchObject({
      status: 'done',
      samplesDone: 60,
    })
  }, 60_000)

  it('adaptive verification outvotes an always-wrong provider and excludes it; the outputs stay right', async () => {
    market = await startInProcessMarket([{}, {}, { wrap: (e) => byzantine('always-wrong', e) }])
    const liar = market.providers[2].peerId
    const { x, done } = await run({ providers: { min: 3, max: 3 }, verification: { policy: 'adaptive' } })
    const job = await done
    expect(job.status).toBe('done')
    await expectLocal(job.jobId, x)
    expect(job.verification?.invalid).toBeGreaterThan(0)
    expect(job.verification?.excluded).toContain(liar)
    expect(job.providers.find((p) => p.provider === liar)?.samples ?? 0).toBe(0)
    expect(market.faults.some((f) => f.provider === liar && f.kind === 'outvoted')).toBe(true)
  }, 60_000)

  it("a requester's second adaptive job trusts the providers its first one checked: fewer replica tasks", async () => {
    market = await startInProcessMarket([{}, {}])
    const spec = { providers: { min: 2, max: 2 }, verification: { policy: 'adaptive' as const } }
    const first = await (await run(spec, 300)).done
    expect(first.status).toBe('done')
    // both providers are new: each is checked until 10 of its results were verified
    expect(first.verification?.replicaTasks).toBeGreaterThanOrEqual(10)
    for (const p of market.providers)
      expect(market.requester.trust.get(p.peerId)?.streak).toBeGreaterThanOrEqual(10)
    const { x, done } = await run(spec, 300)
    const second = await done
    expect(second.status).toBe('done')
    expect(second.verification?.replicaTasks).toBeLessThan(first.verification!.replicaTasks)
    await expectLocal(second.jobId, x)
  }, 90_000)

  it('a task that fails on one provider is sent again and the job completes', async () => {
    let failures = 0
    const flaky = (inner: TaskExecutor): TaskExecutor => ({
      async run(req) {
        if (failures++ < 2) throw new Error('the GPU fell off the bus')
        return inner.run(req)
      },
    })
    market = await startInProcessMarket([{ wrap: flaky }, {}])
    const { x, done } = await run({ verification: { policy: 'none' }, providers: { min: 2, max: 2 } })
    const job = await done
    expect(job.status).toBe('done')
    expect(failures).toBeGreaterThanOrEqual(2)
    await expectLocal(job.jobId, x)
    // the job says what was sent again and why; `mutirao job explain` tells it
    const again = job.notices?.filter((n) => n.code === 'redispatched') ?? []
    expect(again[0]?.message).toMatch(
      /^shard \d+ failed on 12D3\w+ \(failed: .*the GPU fell off the bus.*\); sent again$/,
    )
    expect(explainJob(job).reasons.filter((r) => r.code === 'redispatched')).toHaveLength(again.length)
  }, 60_000)

  it('a provider lost mid-job: its shards go to the other, the job completes and says what was sent again', async () => {
    const slow = (inner: TaskExecutor): TaskExecutor => ({
      async run(req) {
        await new Promise((r) => setTimeout(r, 100))
        return inner.run(req)
      },
    })
    market = await startInProcessMarket([{ wrap: slow }, { wrap: slow }])
    const { submitted, x, done } = await run(
      { verification: { policy: 'none' }, providers: { min: 2, max: 2 }, shardSize: 2 },
      80,
    )
    const lost = market.providers[0]
    while (
      !market.requester
        .get(submitted.jobId)
        .providers.some((p) => p.provider === lost.peerId && p.samples > 0)
    )
      await new Promise((r) => setTimeout(r, 20))
    // live, the shard map shows shards accepted (capitals), computing (lower case) and waiting (.)
    const live = market.requester.shardMap(submitted.jobId)
    expect(live.cells).toHaveLength(40)
    expect(live.cells).toMatch(/[A-Z]/)
    expect(live.cells).toMatch(/[a-z]/)
    expect(live.cells).toContain('.')
    expect(live.providers).toContain(lost.peerId)
    await lost.host.stop()
    const job = await done
    expect(job.status).toBe('done')
    expect(market.requester.shardMap(job.jobId).cells).toMatch(/^[AB]{40}$/)
    await expectLocal(job.jobId, x)
    const again = job.notices?.find((n) => n.code === 'redispatched')?.message ?? ''
    expect(again).toMatch(
      new RegExp(`^provider ${lost.peerId} lost \\(.+\\): \\d+ shard\\(s\\) sent again to the others$`),
    )
    expect(market.faults.some((f) => f.provider === lost.peerId && f.kind === 'gone')).toBe(true)
  }, 60_000)

  it('fails at once, naming the lowest ask, when every provider asks more than the max price', async () => {
    market = await startInProcessMarket([{ terms: { pricePerUnit: 5_000_000_000_000n } }])
    const { done } = await run({ maxPricePerUnit: '1000000000000', verification: { policy: 'none' } })
    const job = await done
    expect(job.status).toBe('failed')
    expect(job.error).toContain('lowest ask 0.005 MUT per 1,000 units')
  }, 60_000)

  it('explains a job nobody offered for: a provider that does not run its kind, and one paused (idle-only mode)', async () => {
    market = await startInProcessMarket([
      { terms: { kinds: ['wasm'] } },
      { gate: { accepting: () => false, why: () => 'paused by the owner' } },
    ])
    const { done } = await run({
      verification: { policy: 'none' },
      providers: { min: 1, max: 1, waitSeconds: 3 },
    })
    const job = await done
    expect(job.status).toBe('failed')
    const reasons = explainJob(job).reasons
    expect(reasons[0]).toMatchObject({
      code: 'outcome',
      message: expect.stringMatching(/^failed in [\d.]+ s: 0 of the 1 providers/),
    })
    // every round of offers that heard declines is told (the last one is quoted in the failure)
    const heard = reasons
      .filter((r) => r.code === 'no-offers')
      .map((r) => r.message)
      .join('\n')
    expect(heard).toMatch(/kind ×1 \(we do not run onnx-inference jobs \(we run wasm\)\)/)
    expect(heard).toMatch(/paused ×1 \(paused by the owner\)/)
    expect(heard).toContain('paused or busy providers may offer later')
  }, 60_000)

  it('a cancelled job stops, says so, and its provider takes no more of its tasks', async () => {
    const slow = (inner: TaskExecutor): TaskExecutor => ({
      async run(req) {
        await new Promise((r) => setTimeout(r, 300))
        return inner.run(req)
      },
    })
    market = await startInProcessMarket([{ wrap: slow }])
    const { submitted, done } = await run({ verification: { policy: 'none' }, shardSize: 1 }, 100)
    while ((market.requester.get(submitted.jobId).samplesDone ?? 0) < 1)
      await new Promise((r) => setTimeout(r, 50))
    market.requester.cancel(submitted.jobId)
    const job = await done
    expect(job.status).toBe('cancelled')
    expect(job.samplesDone).toBeLessThan(100)
    const ran = market.providers[0].agent.stats.completed
    await new Promise((r) => setTimeout(r, 1000))
    expect(market.providers[0].agent.stats.completed - ran).toBeLessThanOrEqual(2)
  }, 60_000)

  it('refuses a job whose blobs are not on the node, or whose spec is malformed, naming the field', async () => {
    market = await startInProcessMarket([])
    await expect(
      market.requester.submit({
        kind: 'onnx-inference',
        modelHash: 'ab'.repeat(32),
        inputsHash: 'cd'.repeat(32),
      }),
    ).rejects.toThrow(/The job.s model blob (ab)+ is not on this node/)
    await expect(market.requester.submit({ kind: 'onnx-inference', shardSize: -1 } as never)).rejects.toThrow(
      /Invalid job spec: /,
    )
  }, 30_000)
})
