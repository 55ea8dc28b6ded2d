import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tensorFromValues } from '../../src/exec/tensor-values.js'
import { connect } from '../../src/sdk/client.js'
import { runCli, startNetwork, startNodeProcess, type TestNetwork } from '../helpers/network.js'
import { nodeLedger, until } from '../helpers/node-ledger.js'

const MODEL = resolve(import.meta.dirname, '../fixtures/models/mlp.onnx')
/** High enough that providers redeem only at the end of the job (not while the requester is alive). */
const NO_EARLY_REDEEM = ['--redeem-threshold', (10n ** 30n).toString()]

/** Run `mutirao <args> --data-dir <dir> --json` and parse its stdout. */
async function cliJson(dataDir: string, ...args: string[]) {
  const r = await runCli([...args, '--data-dir', dataDir, '--json'])
  return { code: r.code, out: r.stdout.trim() ? JSON.parse(r.stdout) : undefined, stderr: r.stderr }
}

/** A redeemed (voucher-covered) task id from a provider's database (read-only). */
function coveredTask(dataDir: string): string {
  const db = new Database(join(dataDir, 'mutirao.db'), { readonly: true, fileMustExist: true })
  try {
    const row = db
      .prepare('SELECT task_id FROM provider_receipts WHERE covered_seq IS NOT NULL ORDER BY task_id LIMIT 1')
      .get() as { task_id: string } | undefined
    if (!row) throw new Error(`no covered receipt in ${dataDir}`)
    return row.task_id
  } finally {
    db.close()
  }
}

describe('ledger: payout without the requester, CLI values, tampered receipts', () => {
  let net: TestNetwork
  const earned = new Map<number, bigint>()
  beforeAll(async () => {
    net = await startNetwork({ providers: 2, providerArgs: NO_EARLY_REDEEM })
  })
  afterAll(async () => {
    await net?.stop()
  })

  it('providers are paid in full (units × price) after the requester is killed with -9', async () => {
    const ledgers = await Promise.all(net.providers.map((p) => nodeLedger(p.dataDir, net.chain)))
    const before = await Promise.all(ledgers.map((l) => l.balance()))
    const client = await connect({ dataDir: net.requester.dataDir })
    const n = 400
    const x = tensorFromValues(
      'float32',
      [n, 30],
      Array.from({ length: n * 30 }, (_, i) => Math.sin(i)),
    )
    const job = await client.submit({
      model: MODEL,
      inputs: { x },
      shardSize: 25,
      maxPrice: '0.007',
      timeoutSeconds: 120,
    })
    const done = (await client.wait(job.jobId)) as Awaited<ReturnType<typeof client.wait>> & {
      escrow: { escrowJob: string; pricePerUnit: string } | null
    }
    // The requester is gone for good before any payout is checked: nothing more can be signed.
    expect(await net.requester.kill9()).toBe('SIGKILL')
    expect(done.samplesDone).toBe(n)
    expect(done.escrow).not.toBeNull()
    const price = BigInt(done.escrow!.pricePerUnit)
    expect(price > 0n).toBe(true)
    let total = 0n
    for (const [i, p] of net.providers.entries()) {
      const units = BigInt(done.providers.find((w) => w.provider === p.peerId)?.units ?? 0)
      earned.set(i, units * price)
      total += units * price
    }
    expect(total).toBe(BigInt(done.unitsDone) * price)
    for (const [i, l] of ledgers.entries()) {
      const expected = before[i] + earned.get(i)!
      await until(`provider ${i + 1} paid`, async () => ((await l.balance()) === expected ? true : undefined))
      expect((await l.balance()) - before[i]).toBe(earned.get(i))
    }
    // Nothing is left unredeemed.
    for (const p of net.providers) {
      const w = await cliJson(p.dataDir, 'wallet')
      expect(w.code).toBe(0)
      expect(w.out.pendingVouchers).toEqual([])
    }
  })

  it('CLI wallet / faucet / stake / unstake / contributions / prove give the chain values (--json)', async () => {
    const p = net.providers[0]
    const l = await nodeLedger(p.dataDir, net.chain)
    const w = await cliJson(p.dataDir, 'wallet')
    expect(w.out.address).toBe(l.address)
    expect(w.out.balance).toBe((await l.balance()).toString())
    expect(w.out.stake).toBe('0')
    expect(w.out.chain.chainId).toBe(31337)

    const f = await cliJson(p.dataDir, 'faucet', '--amount', '12345')
    expect(f.code).toBe(0)
    expect(BigInt(f.out.balance)).toBe(BigInt(w.out.balance) + 12345n)
    const bad = await cliJson(p.dataDir, 'faucet', '--amount', '-3')
    expect(bad.code).toBe(2)
    expect(bad.out.error.name).toBe('InvalidInputError')

    const s = await cliJson(p.dataDir, 'stake', '1000')
    expect(s.code).toBe(0)
    expect(s.out).toMatchObject({ registered: true, stake: '1000' })
    expect(await l.peerIdOf(l.address)).toBe(p.peerId)
    const u = await cliJson(p.dataDir, 'unstake', '400')
    expect(u.out.stake).toBe('600')
    expect(u.out.unbonding.amount).toBe('400')
    expect(await l.stakeOf()).toBe(600n)
    const w2 = await cliJson(p.dataDir, 'wallet')
    expect(w2.out).toMatchObject({ stake: '600', registeredPeerId: p.peerId })
    expect(BigInt(w2.out.balance)).toBe(BigInt(f.out.balance) - 1000n)

    const c = await cliJson(p.dataDir, 'ledger', 'contributions', '--provider', l.address)
    expect(c.code).toBe(0)
    expect(c.out.length).toBeGreaterThan(0)
    expect(c.out.reduce((a: bigint, x: { amount: string }) => a + BigInt(x.amount), 0n)).toBe(earned.get(0))
    const none = await cliJson(p.dataDir, 'ledger', 'contributions', '--job', '999999')
    expect(none.out).toEqual([])

    const task = coveredTask(p.dataDir)
    const listed = await cliJson(p.dataDir, 'ledger', 'receipts', '--limit', '1000')
    expect(listed.out.map((r: { taskId: string }) => r.taskId)).toContain(task)
    const proof = await cliJson(p.dataDir, 'ledger', 'prove', task)
    expect(proof.code).toBe(0)
    expect(proof.out).toMatchObject({
      verifiedOnChain: true,
      verifiedLocally: true,
      rootRecordedOnChain: true,
    })
    expect(proof.out.receipt.provider).toBe(l.address)
    expect(c.out.map((x: { receiptsRoot: string }) => x.receiptsRoot)).toContain(proof.out.root)
    expect(
      await l.verifyReceipt(
        {
          ...proof.out.receipt,
          jobId: BigInt(proof.out.receipt.jobId),
          units: BigInt(proof.out.receipt.units),
        },
        proof.out.root,
        proof.out.proof,
      ),
    ).toBe(true)
  })

  it('any change to a stored task receipt makes its proof fail against the chain', async () => {
    const idx = 1
    const p = net.providers[idx]
    const task = coveredTask(p.dataDir)
    const ok = await cliJson(p.dataDir, 'ledger', 'prove', task)
    expect(ok.code).toBe(0)
    expect(ok.out.verifiedOnChain).toBe(true)

    await p.stop()
    const db = new Database(join(p.dataDir, 'mutirao.db'))
    const changed = db.prepare('UPDATE provider_receipts SET units = units + 1 WHERE task_id = ?').run(task)
    db.close()
    expect(changed.changes).toBe(1)
    const again = await startNodeProcess(p.name, p.dataDir, [
      '--provide',
      ...net.chain.args,
      ...NO_EARLY_REDEEM,
    ])
    net.providers[idx] = again

    const bad = await cliJson(p.dataDir, 'ledger', 'prove', task)
    expect(bad.code).toBe(1)
    expect(bad.out.verifiedOnChain).toBe(false)
    expect(bad.out.rootRecordedOnChain).toBe(false)
    expect(BigInt(bad.out.receipt.units)).toBe(BigInt(ok.out.receipt.units) + 1n)
    const text = await runCli(['ledger', 'prove', task, '--data-dir', p.dataDir])
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('verified on chain: no')
  })
})
