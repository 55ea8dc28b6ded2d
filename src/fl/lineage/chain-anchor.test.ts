import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLedger } from '../../ledger/ledger.js'
import { startTestChain, TEST_KEYS } from '../../ledger/test-utils.js'
import { chainAnchor } from './chain-anchor.js'
import { appendRound, createGenesis, type Lineage, startLineage } from './record.js'
import { verifyLineage } from './verify.js'

const h = (c: string) => c.repeat(64)

function lineage(): Lineage {
  const genesis = createGenesis({
    job: 'j1',
    coordinator: 'c',
    spec: { id: 'j1' },
    preprocessingHash: h('1'),
    initialHash: h('2'),
  })
  return appendRound(startLineage(genesis), {
    round: 1,
    participants: [
      {
        peer: 'p1',
        commitment: h('3'),
        signed: { body: h('3'), job: 'j1', round: 1 },
        signature: '',
        numSamples: 5,
      },
    ],
    aggregateHash: h('4'),
    secureAggregation: false,
    shares: { p1: 1 },
    valuation: 'samples',
  })
}

describe('chainAnchor: lineage roots on the LineageRegistry contract', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  beforeAll(async () => {
    env = await startTestChain()
  })
  afterAll(() => env?.cleanup())

  it('verifies against the chain root and fails when the chain root differs', async () => {
    const ledger = await createLedger({
      rpcUrl: env.chain.rpcUrl,
      privateKey: TEST_KEYS[0]!,
      deployments: env.deployments,
    })
    const anchor = chainAnchor(ledger)
    const lin = lineage()
    expect(await anchor.lookup(lin.modelHash!)).toBeUndefined()
    const ok0 = await verifyLineage(lin, { anchor, signatures: false })
    expect(ok0).toMatchObject({ ok: true, anchored: undefined })
    expect(await anchor.anchor(lin.modelHash!, lin.root)).toMatch(/^0x[0-9a-f]{64}$/)
    expect(await anchor.lookup(lin.modelHash!)).toBe(lin.root)
    expect(await verifyLineage(lin, { anchor, signatures: false })).toMatchObject({
      ok: true,
      anchored: true,
    })

    // Another lineage claiming the same model (e.g. a rewritten history with recomputed hashes).
    const forged = appendRound(startLineage(lin.genesis), {
      ...lin.rounds[0]!,
      shares: { p1: 1 },
      testAccuracy: 0.99,
    })
    expect(forged.modelHash).toBe(lin.modelHash)
    const bad = await verifyLineage(forged, { anchor, signatures: false })
    expect(bad.ok).toBe(false)
    expect(bad.anchored).toBe(false)
    expect(bad.problems.join()).toMatch(/anchored root .* differs/)
  })
})
