import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TensorMap } from '../../src/exec/tensor.js'
import { encodeTensors } from '../../src/exec/tensor-codec.js'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import type { ProviderReputation } from '../../src/requester/attestation-pool.js'
import type { JobSpecInput } from '../../src/requester/job-spec.js'
import { connect } from '../../src/sdk/client.js'
import { startByzantineProvider } from '../helpers/byzantine-network.js'
import {
  runCli,
  startNetwork,
  startNodeProcess,
  type TestNetwork,
  type TestNode,
} from '../helpers/network.js'

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')

/** `n` rows of 30 features, distinct per row. */
const features = (n: number) =>
  tensorFromValues(
    'float32',
    [n, 30],
    Array.from({ length: n * 30 }, (_, i) => ((i * 37) % 101) / 101),
  )

async function runJob(node: TestNode, spec: Partial<JobSpecInput>, rows: number) {
  const dataDir = node.dataDir
  const client = await connect({ dataDir })
  const inputs: TensorMap = { x: features(rows) }
  const [modelHash, inputsHash] = await Promise.all([
    client.putBlob(new Uint8Array(await readFile(MODEL))),
    client.putBlob(encodeTensors(inputs)),
  ])
  const accepted = await client.submitSpec({
    kind: 'onnx-inference',
    modelHash,
    inputsHash,
    ...spec,
  } as JobSpecInput)
  const done = await Promise.race([
    client.wait(accepted.jobId),
    new Promise<never>((_, fail) =>
      setTimeout(async () => {
        const p = await client.job(accepted.jobId)
        const warn = node.logs.filter((l) => /"level":(40|50)/.test(l)).slice(-15)
        fail(new Error(`${node.name}: job stuck at ${p.shardsDone}/${p.shardsTotal}:\n${warn.join('\n')}`))
      }, 40_000).unref(),
    ),
  ])
  expect(done.status, done.error).toBe('done')
  return done
}

/** Wait until the node at `dataDir` knows all `peers` as providers accepting work (capacity gossip). */
async function waitKnown(dataDir: string, peers: string[]) {
  const client = await connect({ dataDir })
  const deadline = Date.now() + 30_000
  for (;;) {
    const s = (await client.node()) as { knownProviders: { peerId: string; accepting: boolean }[] }
    const ready = new Set(s.knownProviders.filter((p) => p.accepting).map((p) => p.peerId))
    if (peers.every((p) => ready.has(p))) return
    if (Date.now() > deadline) throw new Error(`providers not known: ${JSON.stringify(s.knownProviders)}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

async function reputationOn(dataDir: string): Promise<Record<string, ProviderReputation>> {
  const s = (await (await connect({ dataDir })).node()) as { reputation: Record<string, ProviderReputation> }
  return s.reputation
}

describe('reputation gossip: a newcomer uses a staked requester’s verified experience', () => {
  let net: TestNetwork
  let byz: TestNode
  let b: TestNode
  beforeAll(async () => {
    net = await startNetwork({ providers: 2 })
    ;[byz, b] = await Promise.all([
      startByzantineProvider(net, 'byz-always-wrong', 'always-wrong'),
      startNodeProcess('requester-b', join(net.root, 'requester-b'), [
        '--bootstrap',
        net.requester.multiaddrs[0],
        ...net.chain.args,
      ]),
    ])
    net.providers.push(byz)
    const staked = await runCli(['stake', '1000', '--data-dir', net.requester.dataDir, '--json'])
    expect(staked.code, staked.stderr).toBe(0)
  }, 80_000)
  afterAll(async () => {
    await Promise.all([b?.stop()])
    await net?.stop()
  })

  it('B scores the provider A caught below the honest ones, and does not pick it', {
    timeout: 110_000,
  }, async () => {
    const honest = net.providers.filter((p) => p !== byz).map((p) => p.peerId)
    const all = net.providers.map((p) => p.peerId)
    await Promise.all([waitKnown(net.requester.dataDir, all), waitKnown(b.dataDir, all)])
    // A: a verified job on all three providers catches the always-wrong one (enough shards that a provider
    // whose offer came late is still acquired: the job keeps acquiring while it has fewer than `min`)
    const a = await runJob(
      net.requester,
      { shardSize: 2, providers: { min: 3, max: 3 }, verification: { policy: 'replicate', k: 3, quorum: 2 } },
      300,
    )
    expect(a.verification!.invalid).toBeGreaterThan(0)
    const ownA = await reputationOn(net.requester.dataDir)
    expect(ownA[byz.peerId].ownEvents).toBeGreaterThan(0)

    // B never worked with anyone; it hears A's attestations (A is staked) on gossip
    let seen: Record<string, ProviderReputation> = {}
    const deadline = Date.now() + 40_000
    for (;;) {
      seen = await reputationOn(b.dataDir)
      if ([byz.peerId, ...honest].every((p) => seen[p]?.attested !== null && seen[p]?.attested !== undefined))
        break
      if (Date.now() > deadline) {
        const logs = [...net.requester.logs, ...b.logs].filter((l) => /attestation|reputation/.test(l))
        throw new Error(`B has no attestations: ${JSON.stringify(seen)}\n${logs.slice(-20).join('\n')}`)
      }
      await new Promise((r) => setTimeout(r, 500))
    }
    const bad = seen[byz.peerId]
    expect(bad, JSON.stringify(seen)).toMatchObject({ ownEvents: 0, attesters: 1 })
    expect(bad.attested).toBeCloseTo(ownA[byz.peerId].own, 6)
    for (const p of honest) {
      expect(seen[p].attesters, JSON.stringify(seen)).toBe(1)
      expect(bad.effective).toBeLessThan(seen[p].effective)
    }

    // an honest provider hears how A rates it: its status and `provider explain` say so
    const rated = net.providers.find((p) => p !== byz)!
    let mine: { score: number | null; attesters: number; counts: { valid: number } } | undefined
    for (
      const until = Date.now() + 20_000;
      Date.now() < until;
      await new Promise((r) => setTimeout(r, 300))
    ) {
      const s = (await (await connect({ dataDir: rated.dataDir })).node()) as {
        provider: { seenByOthers: typeof mine }
      }
      mine = s.provider.seenByOthers
      if (mine?.score !== null && Math.abs((mine?.score ?? 0) - ownA[rated.peerId].own) < 1e-6) break
    }
    expect(mine, JSON.stringify(mine)).toMatchObject({ attesters: 1 })
    expect(mine!.score).toBeCloseTo(ownA[rated.peerId].own, 6)
    expect(mine!.counts.valid).toBeGreaterThan(0)
    const explained = await runCli(['provider', 'explain', '--json', '--data-dir', rated.dataDir])
    expect(JSON.parse(explained.stdout).reasons).toContainEqual({
      code: 'reputation',
      message: expect.stringMatching(/^1 staked requester rates it \d\.\d\d of 1 \(\d+ valid, 0 invalid/),
    })

    // B's selection: one provider wanted out of three offers; the attested-bad one ranks last
    const job = await runJob(
      b,
      { shardSize: 5, providers: { min: 1, max: 1 }, verification: { fallback: 'unchecked' } },
      10,
    )
    expect(job.providers.length).toBeGreaterThan(0)
    expect(job.providers.map((w) => w.provider)).not.toContain(byz.peerId)
  })
})
