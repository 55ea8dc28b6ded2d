import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ensureDeployed, readDeployments } from './deployments.js'
import { startEmbeddedChain } from './embedded-chain.js'
import { ChainStartError } from './errors.js'
import { createLedger } from './ledger.js'
import { TEST_KEYS } from './test-utils.js'
import { ANVIL_FAUCET_KEY } from './token-actions.js'

describe('startEmbeddedChain + ensureDeployed', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('keeps contracts and balances across a restart of the chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-chain-'))
    dirs.push(dir)
    const file = join(dir, 'deployments.json')
    const chain = await startEmbeddedChain({ dataDir: join(dir, 'chain') })
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const d1 = await ensureDeployed({ rpcUrl: chain.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })
    const ledger = await createLedger({ rpcUrl: chain.rpcUrl, privateKey: TEST_KEYS[0]!, deployments: d1 })
    await ledger.faucet(ledger.address, 1234n)
    expect(await ledger.balance()).toBe(1234n)
    await chain.stop()

    const again = await startEmbeddedChain({ dataDir: join(dir, 'chain') })
    try {
      const d2 = await ensureDeployed({ rpcUrl: again.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })
      expect(d2).toEqual(d1)
      expect(await readDeployments(file)).toEqual(d1)
      const ledger2 = await createLedger({ rpcUrl: again.rpcUrl, privateKey: TEST_KEYS[0]!, deployments: d2 })
      expect(await ledger2.balance()).toBe(1234n)
    } finally {
      await again.stop()
    }
  })

  it('redeploys when the recorded contracts have no code (fresh chain)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-chain-'))
    dirs.push(dir)
    const file = join(dir, 'deployments.json')
    const a = await startEmbeddedChain({ dataDir: join(dir, 'a') })
    const d1 = await ensureDeployed({ rpcUrl: a.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })
    await a.stop()
    const b = await startEmbeddedChain({ dataDir: join(dir, 'b'), chainId: 31337 })
    try {
      // a different, empty chain: same deployer nonce gives the same addresses, so compare code presence
      const c = await createLedger({ rpcUrl: b.rpcUrl, privateKey: TEST_KEYS[0]!, deployments: d1 })
      await expect(c.balance()).rejects.toThrow()
      const d2 = await ensureDeployed({ rpcUrl: b.rpcUrl, privateKey: ANVIL_FAUCET_KEY, file })
      const c2 = await createLedger({ rpcUrl: b.rpcUrl, privateKey: TEST_KEYS[0]!, deployments: d2 })
      expect(await c2.balance()).toBe(0n)
    } finally {
      await b.stop()
    }
  })

  it('fails with ChainStartError when the port is taken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-chain-'))
    dirs.push(dir)
    const a = await startEmbeddedChain({ dataDir: join(dir, 'a') })
    const port = Number(new URL(a.rpcUrl).port)
    try {
      await expect(
        startEmbeddedChain({ dataDir: join(dir, 'b'), port, startTimeoutMs: 5_000 }),
      ).rejects.toThrow(ChainStartError)
    } finally {
      await a.stop()
    }
  })
})
