import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPublicClient, type Hex, http } from 'viem'
import { type Deployments, ensureDeployed, readDeployments } from './deployments.js'
import { type EmbeddedChain, startEmbeddedChain } from './embedded-chain.js'
import { ANVIL_FAUCET_KEY } from './token-actions.js'

/** Anvil's default accounts 1..3 (funded with ETH), for tests. */
export const TEST_KEYS: Hex[] = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
]

/** A fresh embedded chain in a temp dir with the contracts deployed. Test helper only. */
export async function startTestChain(): Promise<{
  chain: EmbeddedChain
  deployments: Deployments
  dir: string
  cleanup(): Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'mutirao-ledger-'))
  const chain = await startEmbeddedChain({ dataDir: join(dir, 'chain') })
  const deployments = await ensureDeployed({
    rpcUrl: chain.rpcUrl,
    privateKey: ANVIL_FAUCET_KEY,
    file: join(dir, 'deployments.json'),
    redeemWindow: 3_600n,
    unbondingDelay: 600n,
  })
  return {
    chain,
    deployments,
    dir,
    async cleanup() {
      await chain.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Moves the chain's clock forward by `seconds` and mines a block. */
export async function increaseTime(rpcUrl: string, seconds: number): Promise<void> {
  const c = createPublicClient({ transport: http(rpcUrl) })
  await c.request({ method: 'evm_increaseTime' as never, params: [seconds] as never })
  await c.request({ method: 'evm_mine' as never, params: [] as never })
}

/** The latest block's timestamp. */
export async function chainTime(rpcUrl: string): Promise<bigint> {
  const c = createPublicClient({ transport: http(rpcUrl) })
  return (await c.getBlock()).timestamp
}

/**
 * A copy of the test chain's deployments file (`<dir>/old.json`) without one contract, as written before
 * that contract existed; returns its path and what it reads back as.
 */
export async function deploymentsWithout(
  dir: string,
  contract: keyof Deployments,
): Promise<{ file: string; old: Deployments }> {
  const file = join(dir, 'old.json')
  const json = JSON.parse(await readFile(join(dir, 'deployments.json'), 'utf8'))
  delete json[contract]
  await writeFile(file, JSON.stringify(json))
  return { file, old: await readDeployments(file) }
}
