import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildModel, node, tensorInitializer, valueInfo } from '../../src/exec/graph-builder.js'
import { writeNpy } from '../../src/exec/npy.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { parsePrice } from '../../src/market/price.js'
import type { JobProgress } from '../../src/requester/job-spec.js'
import { connect, JobFailedError } from '../../src/sdk/client.js'
import { CLI, runCli, startNetwork, type TestNetwork, type TestNode } from '../helpers/network.js'
import { nodeLedger, until } from '../helpers/node-ledger.js'

const MLP = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')

/** A lookup table indexed by the input: valid for the requester's checks, fails in onnxruntime for index ≥ 4. */
const GATHER = buildModel({
  nodes: [node('Gather', ['table', 'idx'], ['y'], { axis: 0 })],
  initializers: [tensorInitializer('table', 'float32', [4, 2], [1, 2, 3, 4, 5, 6, 7, 8])],
  inputs: [valueInfo('idx', 'int64', ['N'])],
  outputs: [valueInfo('y', 'float32', ['N', 2])],
})

interface Reputation {
  own: number
  ownEvents: number
}

describe('market terms a new user meets: different asks, a model that fails on every provider', () => {
  let net: TestNetwork
  let cheap: TestNode
  let dear: TestNode
  const reputations = async () =>
    (
      (await (await connect({ dataDir: net.requester.dataDir })).node()) as {
        reputation: Record<string, Reputation>
      }
    ).reputation

  beforeAll(async () => {
    net = await startNetwork({ providers: 0 })
    // asks in MUT per 1,000 work units, both under the default max price (0.01)
    cheap = await net.addProvider(['--price', '0.001'])
    dear = await net.addProvider(['--price', '0.002'])
    const client = await connect({ dataDir: net.requester.dataDir })
    await until('the requester knows both providers', async () => {
      const s = (await client.node()) as { knownProviders: { peerId: string }[] }
      const known = new Set(s.knownProviders.map((p) => p.peerId))
      return known.has(cheap.peerId) && known.has(dear.peerId) ? true : undefined
    })
  })
  afterAll(async () => {
    await net?.stop()
  })

  it('a model failing inside onnxruntime fails the job within 10 s with its message; reputations unchanged', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const before = await reputations()
    const wallet = await nodeLedger(net.requester.dataDir, net.chain)
    const balanceBefore = await wallet.balance()
    const n = 64
    const idx = tensorFromValues(
      'int64',
      [n],
      Array.from({ length: n }, (_, i) => BigInt(i % 9)),
    )
    const started = Date.now()
    const job = await client.submit({
      model: GATHER,
      inputs: { idx },
      shardSize: 16,
      providers: { min: 2, max: 2 },
      timeoutSeconds: 120,
    })
    const err = await client.wait(job.jobId).catch((e) => e)
    const elapsed = Date.now() - started
    expect(err).toBeInstanceOf(JobFailedError)
    const final = (err as JobFailedError).progress as JobProgress
    expect(final.status).toBe('failed')
    // the runtime's own words reach the user, with the code that says it is the job's fault
    expect(final.error).toMatch(/model-failed/)
    expect(final.error).toMatch(/onnxruntime failed to run the model: .*idx/i)
    expect(elapsed).toBeLessThan(10_000)
    // No work was paid: the whole budget came back when the job failed, without waiting for any window.
    const escrow = (final as JobProgress & { escrow: { budget: string; refunded: string } }).escrow
    expect(BigInt(escrow.budget)).toBeGreaterThan(0n)
    expect(escrow.refunded).toBe(escrow.budget)
    expect(await wallet.balance()).toBe(balanceBefore)
    const after = await reputations()
    for (const p of [cheap, dear]) {
      expect(after[p.peerId]?.ownEvents ?? 0, p.name).toBe(before[p.peerId]?.ownEvents ?? 0)
      expect(after[p.peerId]?.own ?? 0.5, p.name).toBe(before[p.peerId]?.own ?? 0.5)
    }
  })

  it('one provider, default policy: the job never accepts an unchecked result without saying so', async () => {
    // runs before any job succeeded: both providers are unknown, so `adaptive` wants every shard checked
    const client = await connect({ dataDir: net.requester.dataDir })
    const n = 40
    const x = tensorFromValues(
      'float32',
      [n, 30],
      Array.from({ length: n * 30 }, (_, i) => Math.sin(i * 0.3)),
    )
    const spec = {
      model: MLP,
      inputs: { x },
      shardSize: 10,
      providers: { min: 1, max: 1 },
      timeoutSeconds: 120,
    }
    const failed = await client
      .wait((await client.submit(spec)).jobId)
      .catch((e) => (e as JobFailedError).progress)
    expect(failed.status).toBe('failed')
    expect(failed.error).toMatch(/verification 'adaptive' could not be done: no second provider could check/)
    expect(failed.error).toMatch(/"fallback": "unchecked"/)
    expect(failed.verification?.shards?.unchecked ?? 0).toBe(0)

    const done = await client.wait(
      (await client.submit({ ...spec, verification: { fallback: 'unchecked' } })).jobId,
    )
    expect(done.status).toBe('done')
    const shards = done.verification!.shards!
    expect(shards.unchecked).toBeGreaterThan(0)
    expect(shards.checked + shards.single + shards.unchecked + shards.local).toBe(done.shardsDone)
    expect(done.notices?.some((x) => x.code === 'unchecked' && /no second provider/.test(x.message))).toBe(
      true,
    )
    // a finished job keeps saying so (from the store, not only from the live run)
    const listed = ((await client.jobs()) as JobProgress[]).find((j) => j.jobId === done.jobId)
    expect(listed?.verification?.shards).toEqual(shards)
  })

  it('a max price below every ask fails within 10 s naming the lowest ask; too few providers fail after the wait', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const x = tensorFromValues(
      'float32',
      [8, 30],
      Array.from({ length: 8 * 30 }, (_, i) => Math.sin(i)),
    )
    const started = Date.now()
    const cheapJob = await client.submit({ model: MLP, inputs: { x }, shardSize: 4, maxPrice: '0.0005' })
    const failed = await client.wait(cheapJob.jobId).catch((e) => (e as JobFailedError).progress)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(failed.status).toBe('failed')
    expect(failed.error).toBe(
      'no provider offered: 2 provider(s) declined: price ×2 (lowest ask 0.001 MUT per 1,000 units, max price 0.0005 MUT per 1,000 units); raise maxPrice to at least 0.001 (maxPricePerUnit 1000000000000)',
    )
    expect(failed.notices?.map((n) => n.code)).toContain('no-offers')
    // the provider's side of the same story: `mutirao provider explain` names the price that would have offered
    const explain = await runCli(['provider', 'explain', '--json', '--data-dir', dear.dataDir])
    expect(explain.code, explain.stderr).toBe(0)
    const reasons = (JSON.parse(explain.stdout) as { reasons: { code: string; message: string }[] }).reasons
    expect(reasons.map((r) => r.message)).toContainEqual(
      expect.stringMatching(
        /^declined \d+ demands? paying at most 0\.0005 MUT per 1,000 units, below your ask of 0\.002 MUT per 1,000 units: --price 0\.0005 or less would have offered$/,
      ),
    )

    // told to wait, the same demand is reported (a notice) instead of failing at once
    const waiting = await client.submit({
      model: MLP,
      inputs: { x },
      shardSize: 4,
      maxPrice: '0.0005',
      providers: { waitSeconds: 30 },
    })
    await until('the no-offers notice', async () => {
      const p = await client.job(waiting.jobId)
      return p.notices?.some((n) => n.code === 'no-offers') ? p : undefined
    })
    expect((await client.job(waiting.jobId)).status).toBe('running')
    await client.cancel(waiting.jobId)

    // providers.min 3 with 2 providers: no silent run on fewer; fails after the wait, saying so
    const few = await client.submit({
      model: MLP,
      inputs: { x },
      shardSize: 2,
      providers: { min: 3, max: 3, waitSeconds: 3 },
      verification: { policy: 'none' },
    })
    const short = await client.wait(few.jobId).catch((e) => (e as JobFailedError).progress)
    expect(short.status).toBe('failed')
    expect(short.error).toMatch(/^2 of the 3 providers asked for \(providers.min\) took the job within 3 s/)
    expect(short.samplesDone).toBe(0)
  })

  it('providers asking 0.001 and 0.002 both work on one job and are paid the clearing price (0.002) on-chain', async () => {
    const client = await connect({ dataDir: net.requester.dataDir })
    const ledgers = await Promise.all([cheap, dear].map((p) => nodeLedger(p.dataDir, net.chain)))
    const before = await Promise.all(ledgers.map((l) => l.balance()))
    const n = 200
    const x = tensorFromValues(
      'float32',
      [n, 30],
      Array.from({ length: n * 30 }, (_, i) => Math.cos(i * 0.7)),
    )
    const job = await client.submit({
      model: MLP,
      inputs: { x },
      shardSize: 20,
      maxPrice: '0.005',
      providers: { min: 2, max: 2 },
      // every shard on both providers: both must work, whatever the scheduling
      verification: { policy: 'replicate', k: 2, quorum: 2 },
      timeoutSeconds: 120,
    })
    const done = (await client.wait(job.jobId)) as JobProgress & {
      escrow: {
        pricePerUnit: string
        budget: string
        cost: string
        refundable: string
        refunded: string
      } | null
    }
    expect(done.status).toBe('done')
    const price = parsePrice('0.002')
    expect(done.escrow?.pricePerUnit).toBe(price.toString())
    // the money a user sees: cost = accepted units × price, the rest of the budget refunded when the job ended
    expect(BigInt(done.escrow!.cost)).toBe(BigInt(done.unitsDone) * price)
    expect(BigInt(done.escrow!.refunded)).toBe(BigInt(done.escrow!.budget) - BigInt(done.escrow!.cost))
    expect(done.escrow!.refundable).toBe('0')
    for (const [i, p] of [cheap, dear].entries()) {
      const units = BigInt(done.providers.find((w) => w.provider === p.peerId)?.units ?? 0)
      expect(units > 0n, `${p.name} worked`).toBe(true)
      const want = before[i] + units * price
      await until(`${p.name} paid units × the clearing price`, async () =>
        (await ledgers[i].balance()) === want ? true : undefined,
      )
    }
  })
  it('submit: SIGTERM cancels like Ctrl-C; a requester node that dies makes it exit 3 saying the job resumes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-submit-'))
    try {
      const n = 40_000
      const x = tensorFromValues(
        'float32',
        [n, 30],
        Array.from({ length: n * 30 }, (_, i) => Math.sin(i * 0.01)),
      )
      await writeFile(join(dir, 'x.npy'), writeNpy(x))
      const job = {
        kind: 'onnx-inference',
        model: MLP,
        inputs: { x: { npy: 'x.npy' } },
        shardSize: 20,
        verification: { policy: 'none' },
      }
      await writeFile(join(dir, 'job.json'), JSON.stringify(job))
      const client = await connect({ dataDir: net.requester.dataDir })
      const submit = () => {
        const proc = spawn(process.execPath, [
          CLI,
          'submit',
          join(dir, 'job.json'),
          '--data-dir',
          net.requester.dataDir,
        ])
        let stderr = ''
        proc.stderr.on('data', (d) => {
          stderr += d
        })
        const exited = new Promise<number | null>((done) => proc.on('exit', (code) => done(code)))
        return { proc, exited, stderr: () => stderr }
      }
      const running = async () =>
        until('a running job with results', async () => {
          const j = ((await client.jobs()) as JobProgress[]).find(
            (p) => p.status === 'running' && p.samplesDone > 0,
          )
          return j
        })

      const first = submit()
      const j1 = await running()
      first.proc.kill('SIGTERM')
      expect(await first.exited).toBe(1)
      expect((await client.job(j1.jobId)).status).toBe('cancelled')

      const second = submit()
      const j2 = await running()
      expect(await net.requester.kill9()).toBe('SIGKILL')
      expect(await second.exited).toBe(3)
      expect(second.stderr()).toContain('the node stopped answering; the job goes on when it restarts')
      expect(second.stderr()).toContain(`mutirao jobs ${j2.jobId}`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
