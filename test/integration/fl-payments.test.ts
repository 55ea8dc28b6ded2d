import { readFileSync } from 'node:fs'
import { getAddress } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCsv } from '../../src/data/load.js'
import { dirichletPartition } from '../../src/data/partition.js'
import { createRng } from '../../src/data/rng.js'
import type { Dataset } from '../../src/data/schema.js'
import { subset, trainTestSplit } from '../../src/data/split.js'
import { chainAnchor } from '../../src/fl/lineage/chain-anchor.js'
import { verifyLineage } from '../../src/fl/lineage/verify.js'
import { payoutsOf } from '../../src/fl/network/coordinator.js'
import { createLedger, type Ledger } from '../../src/ledger/ledger.js'
import { startTestChain, TEST_KEYS } from '../../src/ledger/test-utils.js'
import { startFlTestNetwork } from '../helpers/fl-network.js'

const ds = loadCsv(readFileSync(new URL('../../data/wdbc-breast-cancer.csv', import.meta.url), 'utf8'), {
  target: 'diagnosis',
})
const BUDGET = 1_000_000_007n

/** Keeps a quarter of the rows and repeats them 4× (same sample count, a quarter of the information). */
const duplicate = (d: Dataset): Dataset => {
  const q = Math.floor(d.n / 4)
  return subset(
    d,
    Array.from({ length: 4 * q }, (_, i) => i % q),
  )
}
/** Replaces every label with a random class. */
const relabel = (d: Dataset): Dataset => {
  const rng = createRng(9)
  const k = d.schema.target.classes.length
  return { ...d, y: Int32Array.from(d.y, () => Math.floor(rng() * k)) }
}

describe('fl-train pays its data budget through escrow vouchers (libp2p + real anvil)', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let owner: Ledger
  beforeAll(async () => {
    env = await startTestChain()
    owner = await createLedger({
      rpcUrl: env.chain.rpcUrl,
      privateKey: TEST_KEYS[0]!,
      deployments: env.deployments,
    })
    await owner.faucet(owner.address, 2n * BUDGET)
  })
  afterAll(() => env?.cleanup())

  it.each([
    ['relabelled', relabel],
    ['duplicated', duplicate],
  ] as const)(
    'each holder redeems exactly its share; a holder with %s data earns less than every honest one; lineage anchored on-chain',
    async (kind, cheat) => {
      const { train, test: validation } = trainTestSplit(ds, { seed: 6, testFraction: 0.2 })
      const parts = dirichletPartition(train, { holders: 4, alpha: 100, seed: 6 })
      parts[3] = cheat(parts[3]!)
      const holderLedgers = await Promise.all(
        parts.map(() =>
          createLedger({
            rpcUrl: env.chain.rpcUrl,
            privateKey: generatePrivateKey(),
            deployments: env.deployments,
          }),
        ),
      )
      for (const l of holderLedgers) await l.faucet(l.address, 1n) // gas for the redemption
      const before = await Promise.all(holderLedgers.map((l) => l.balance()))
      const ownerBefore = await owner.balance()
      let received = 0
      const { promise: vouchersReceived, resolve: allReceived } = Promise.withResolvers<void>()
      const net = await startFlTestNetwork({
        spec: {
          id: `pay-wdbc-${kind}`,
          model: { kind: 'logreg' },
          schema: ds.schema,
          rounds: 12,
          minParticipants: 4,
          roundDeadlineMs: 20_000,
          local: { epochs: 1, batchSize: 32, lr: 0.1 },
          seed: 6,
          dataBudget: BUDGET.toString(),
        },
        holders: parts,
        coordinator: { validation, payments: owner, anchor: chainAnchor(owner) },
        holder: (i) => ({
          payments: holderLedgers[i],
          onEvent: (e) => {
            if (e.type === 'done' && ++received === parts.length) allReceived()
          },
        }),
      })
      let state: Awaited<ReturnType<typeof net.coordinator.run>>
      try {
        state = await net.coordinator.run()
        await vouchersReceived
      } finally {
        // The owner goes away as soon as its vouchers are delivered: holders redeem them on their own.
        await net.coordinator.stop()
        await net.coordinatorHost.stop()
      }
      const results = await Promise.all(net.holderRuns)
      await net.stop()
      expect(await owner.balance()).toBe(ownerBefore - BUDGET)
      const payouts = payoutsOf(state)!
      const peers = net.holderHosts.map((h) => h.peerId.toString())
      const amounts = peers.map((p) => BigInt(payouts[p] ?? '0'))
      expect(amounts.reduce((a, b) => a + b, 0n)).toBe(BUDGET)
      const after = await Promise.all(holderLedgers.map((l) => l.balance()))
      for (const [i, r] of results.entries()) {
        expect(r.payment?.error).toBeUndefined()
        // A holder whose share is zero gets no voucher.
        expect(BigInt(r.payment?.amount ?? '0')).toBe(amounts[i])
        expect(after[i]! - before[i]!).toBe(amounts[i])
      }
      // Each redemption is recorded on-chain with the lineage root as its receipts root.
      const recorded = await owner.contributions({ jobId: BigInt(state.payments!.escrowJobId) })
      const paid = holderLedgers.filter((_, i) => amounts[i]! > 0n)
      expect(recorded).toHaveLength(paid.length)
      expect(paid.length).toBeGreaterThanOrEqual(3)
      for (const c of recorded) expect(c.receiptsRoot).toBe(`0x${state.lineage!.root}`)
      expect(new Set(recorded.map((c) => getAddress(c.provider)))).toEqual(
        new Set(paid.map((l) => l.address)),
      )
      // The cheating holder earns less than every honest holder.
      for (const i of [0, 1, 2]) expect(amounts[3]!).toBeLessThan(amounts[i]!)
      // The lineage verifies against the chain.
      const report = await verifyLineage(state.lineage, { anchor: chainAnchor(owner) })
      expect(report).toMatchObject({ ok: true, anchored: true })
      console.info(kind, 'payouts', amounts.map(String))
    },
    90_000,
  )
})
