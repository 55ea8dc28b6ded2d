import { type Address, createPublicClient, type Hex, http, type PublicClient } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { disputeResolverAbi, providerRegistryAbi } from './abi/index.js'
import { DEFAULT_DISPUTE_PARAMS, type Deployments, ensureDeployed } from './deployments.js'
import { createLedger } from './ledger.js'
import { deploymentsWithout, startTestChain, TEST_KEYS } from './test-utils.js'
import { ANVIL_FAUCET_KEY } from './token-actions.js'

describe('ensureDeployed: the DisputeResolver (real anvil)', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let pub: PublicClient
  beforeAll(async () => {
    env = await startTestChain()
    pub = createPublicClient({ transport: http(env.chain.rpcUrl) }) as PublicClient
  })
  afterAll(() => env?.cleanup())

  const ledgerOf = (deployments: Deployments) =>
    createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: TEST_KEYS[0]!, deployments })
  const read = (address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
    pub.readContract({ address, abi, functionName, args } as never) as Promise<unknown>
  const isSlasher = async (registry: Address, resolver: Address) =>
    read(registry, providerRegistryAbi, 'hasRole', [
      (await read(registry, providerRegistryAbi, 'SLASHER_ROLE')) as Hex,
      resolver,
    ])

  it('deploys one with the default parameters and SLASHER_ROLE; the ledger client exposes it', async () => {
    const resolver = env.deployments.disputeResolver!
    expect(resolver).toMatch(/^0x[0-9a-fA-F]{40}$/)
    expect(await isSlasher(env.deployments.registry, resolver)).toBe(true)
    expect(await read(resolver, disputeResolverAbi, 'deposit')).toBe(DEFAULT_DISPUTE_PARAMS.deposit)
    expect(BigInt((await read(resolver, disputeResolverAbi, 'appealWindow')) as number)).toBe(
      DEFAULT_DISPUTE_PARAMS.appealWindowSeconds,
    )
    expect((await ledgerOf(env.deployments)).disputes).toBeDefined()
  })

  it('adds one to a deployments file from before it existed, and keeps it on the next start', async () => {
    const { file, old } = await deploymentsWithout(env.dir, 'disputeResolver')
    expect(old.disputeResolver).toBeUndefined()
    expect((await ledgerOf(old)).disputes).toBeUndefined()
    const d = await ensureDeployed({ rpcUrl: env.chain.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })
    expect(d.escrow).toBe(old.escrow)
    expect(d.disputeResolver).toBeDefined()
    expect(d.disputeResolver).not.toBe(env.deployments.disputeResolver)
    expect(await isSlasher(d.registry, d.disputeResolver!)).toBe(true)
    expect(await ensureDeployed({ rpcUrl: env.chain.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })).toEqual(d)
  })
})
