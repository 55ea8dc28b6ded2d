import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { createLedger, type Ledger, readDeployments } from '../../src/ledger/index.js'

/** A ledger client acting as the node of `dataDir` (its Ethereum key) on the test network's chain. */
export async function nodeLedger(
  dataDir: string,
  chain: { rpcUrl: string; deploymentsFile: string },
): Promise<Ledger> {
  const key = (await readFile(join(dataDir, 'eth.key'), 'utf8')).trim() as Hex
  return createLedger({
    rpcUrl: chain.rpcUrl,
    privateKey: key,
    deployments: await readDeployments(chain.deploymentsFile),
  })
}

/** Poll `fn` until it returns a value (not undefined); throws naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 45_000,
  everyMs = 250,
): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
