import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Hex } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { createLedger, readDeployments } from '../../src/ledger/index.js'
import { connect } from '../../src/sdk/client.js'
import { runCli, startNodeProcess, type TestNode } from '../helpers/network.js'
import { until } from '../helpers/node-ledger.js'

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')

async function cliJson(dataDir: string, ...args: string[]) {
  const r = await runCli([...args, '--data-dir', dataDir, '--json'])
  if (r.code !== 0) throw new Error(`mutirao ${args.join(' ')} exited ${r.code}: ${r.stdout}${r.stderr}`)
  return JSON.parse(r.stdout)
}

describe('ledger: restart of a node and of its embedded chain', () => {
  const nodes: TestNode[] = []
  let root: string
  let aDir: string
  let jobId: string
  let rpcUrl: string
  afterAll(async () => {
    for (const n of nodes.reverse()) await n.stop()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('keeps balances, stake, contributions and the jobs history', async () => {
    root = await mkdtemp(join(tmpdir(), 'mutirao-restart-'))
    aDir = join(root, 'a')
    // No --rpc-url: node A runs the embedded anvil in its data dir; provider B settles on A's chain.
    const a = await startNodeProcess('a', aDir)
    nodes.push(a)
    const chain = (a as unknown as { chain: { rpcUrl: string; deploymentsFile: string; embedded: boolean } })
      .chain
    expect(chain.embedded).toBe(true)
    const b = await startNodeProcess('b', join(root, 'b'), [
      '--provide',
      '--bootstrap',
      a.multiaddrs[0],
      '--rpc-url',
      chain.rpcUrl,
      '--deployments',
      chain.deploymentsFile,
    ])
    nodes.push(b)

    const client = await connect({ dataDir: aDir })
    const n = 100
    const x = tensorFromValues(
      'float32',
      [n, 30],
      Array.from({ length: n * 30 }, (_, i) => Math.cos(i)),
    )
    // one provider: nobody can check it, so the job accepts unchecked results explicitly
    const job = await client.submit({
      model: MODEL,
      inputs: { x },
      shardSize: 25,
      timeoutSeconds: 120,
      verification: { fallback: 'unchecked' },
    })
    const done = await client.wait(job.jobId)
    expect(done.samplesDone).toBe(n)
    const bAddr = (await cliJson(b.dataDir, 'wallet')).address
    const paid = await until('provider redeemed', async () => {
      const c = await cliJson(aDir, 'ledger', 'contributions', '--provider', bAddr)
      return c.length ? c : undefined
    })

    // Top up above the start-up funding level so that the restart does not fund again, then stake.
    await cliJson(aDir, 'faucet', '--amount', (10n ** 24n).toString())
    await cliJson(aDir, 'stake', '777')
    const walletBefore = await cliJson(aDir, 'wallet')
    const jobsBefore = await cliJson(aDir, 'jobs')
    const contributionsBefore = await cliJson(aDir, 'ledger', 'contributions')
    expect(contributionsBefore).toEqual(paid)

    await b.stop()
    nodes.pop()
    expect(await a.stop()).toBe(0)
    nodes.pop()
    const a2 = await startNodeProcess('a', aDir)
    nodes.push(a2)
    const chain2 = (a2 as unknown as { chain: { rpcUrl: string } }).chain

    const walletAfter = await cliJson(aDir, 'wallet')
    expect(walletAfter.chain.embedded).toBe(true)
    expect(walletAfter.chain.rpcUrl).toBe(chain2.rpcUrl)
    expect(walletAfter.chain.deployments).toEqual(walletBefore.chain.deployments)
    for (const k of ['address', 'balance', 'stake', 'registeredPeerId'] as const)
      expect(walletAfter[k]).toEqual(walletBefore[k])
    expect(await cliJson(aDir, 'ledger', 'contributions')).toEqual(contributionsBefore)
    const jobsAfter = await cliJson(aDir, 'jobs')
    expect(jobsAfter.map((j: { jobId: string; status: string }) => [j.jobId, j.status])).toEqual(
      jobsBefore.map((j: { jobId: string; status: string }) => [j.jobId, j.status]),
    )
    jobId = job.jobId
    rpcUrl = chain2.rpcUrl
    const shown = await cliJson(aDir, 'jobs', job.jobId)
    expect(shown).toMatchObject({ status: 'done', samplesDone: n, unitsDone: done.unitsDone })
  })

  it('reclaim after the job closed its escrow: refused, naming the refund it got when the job ended', async () => {
    const job = await cliJson(aDir, 'jobs', jobId)
    expect(job.escrow.settlement).toMatchObject({ status: 'settled' })
    const paid = (await cliJson(aDir, 'ledger', 'contributions', '--job', job.escrow.escrowJob)).reduce(
      (a: bigint, c: { amount: string }) => a + BigInt(c.amount),
      0n,
    )
    expect(paid).toBeGreaterThan(0n)
    const key = (await readFile(join(aDir, 'eth.key'), 'utf8')).trim() as Hex
    const deployments = await readDeployments(join(aDir, 'chain', 'deployments.json'))
    const info = await (await createLedger({ rpcUrl, privateKey: key, deployments })).jobInfo(
      BigInt(job.escrow.escrowJob),
    )
    // closed on-chain by the job itself, before it reported done: providers paid, the rest refunded
    expect(info.closed).toBe(true)
    expect(info.paid).toBe(paid)
    expect(BigInt(job.escrow.refunded)).toBe(info.budget - paid)
    expect(job.escrow.refundable).toBe('0')
    const before = BigInt((await cliJson(aDir, 'wallet')).balance)
    const again = await runCli(['ledger', 'reclaim', jobId, '--data-dir', aDir, '--json'])
    expect(again.code).toBe(1)
    const err = JSON.parse(again.stdout).error
    expect(err.name).toBe('JobClosedError')
    expect(err.message).toMatch(
      /escrow was closed when the job ended: [\d.]+ MUT refunded then \(tx 0x[0-9a-f]{64}\)/,
    )
    expect(BigInt((await cliJson(aDir, 'wallet')).balance)).toBe(before)
  })
})
