import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidInputError } from '../errors.js'
import { ensureDeployed, readDeployments } from './deployments.js'
import { createLedger, type Ledger } from './ledger.js'
import { LineageAlreadyAnchoredError, LineageRegistryMissingError } from './lineage-errors.js'
import { deploymentsWithout, startTestChain, TEST_KEYS } from './test-utils.js'
import { ANVIL_FAUCET_KEY } from './token-actions.js'

const MODEL = 'ab'.repeat(32)
const ROOT = 'cd'.repeat(32)

describe('LineageRegistry through the ledger client (real anvil)', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let owner: Ledger
  let other: Ledger

  beforeAll(async () => {
    env = await startTestChain()
    const mk = (k: `0x${string}`) =>
      createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments })
    ;[owner, other] = await Promise.all(TEST_KEYS.slice(0, 2).map(mk))
  })
  afterAll(() => env?.cleanup())

  it('anchors once, records the sender as owner, and refuses a second root', async () => {
    expect(env.deployments.lineage).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(await owner.lineageOf(MODEL)).toBeUndefined()
    const { txHash } = await owner.anchorLineage(MODEL, ROOT, 'file://lineage.json')
    expect(txHash).toMatch(/^0x/)
    const rec = await other.lineageOf(`0x${MODEL}`)
    expect(rec).toMatchObject({ root: `0x${ROOT}`, owner: owner.address })
    expect(rec!.anchoredAt).toBeGreaterThan(0n)
    const err = await other.anchorLineage(MODEL, 'ef'.repeat(32)).catch((e) => e)
    expect(err).toBeInstanceOf(LineageAlreadyAnchoredError)
    expect(err.name).toBe('LineageAlreadyAnchoredError')
    expect((await owner.lineageOf(MODEL))!.root).toBe(`0x${ROOT}`)
  })

  it('rejects malformed hashes before sending anything', async () => {
    await expect(owner.anchorLineage('abc', ROOT)).rejects.toBeInstanceOf(InvalidInputError)
    await expect(owner.lineageOf('zz'.repeat(32))).rejects.toBeInstanceOf(InvalidInputError)
  })

  it('ensureDeployed adds a registry to a deployments file from before it existed', async () => {
    const { file, old } = await deploymentsWithout(env.dir, 'lineage')
    expect(old.lineage).toBeUndefined()
    const legacy = await createLedger({
      rpcUrl: env.chain.rpcUrl,
      privateKey: TEST_KEYS[2]!,
      deployments: old,
    })
    await expect(legacy.lineageOf(MODEL)).rejects.toBeInstanceOf(LineageRegistryMissingError)
    const d = await ensureDeployed({ rpcUrl: env.chain.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })
    expect(d.escrow).toBe(old.escrow)
    expect(d.lineage).toBeDefined()
    expect(d.lineage).not.toBe(env.deployments.lineage)
    expect((await readDeployments(file)).lineage).toBe(d.lineage)
  })
})
