import { join } from 'node:path'
import type { Hex } from 'viem'
import { InvalidInputError } from '../errors.js'
import type { DataDirLayout } from '../identity/data-dir.js'
import {
  ANVIL_FAUCET_KEY,
  createLedger,
  DEFAULT_DISPUTE_PARAMS,
  type DisputeResolverParams,
  type EmbeddedChain,
  ensureDeployed,
  type Ledger,
  readDeployments,
  startEmbeddedChain,
} from '../ledger/index.js'
import type { Logger } from '../log.js'

/** Chain ids of local development chains, where the faucet works. */
export const LOCAL_CHAIN_IDS = new Set([31337, 1337])

/** Where the chain is and which contracts to use. */
export interface ChainOptions {
  /** JSON-RPC URL of an EVM chain; absent = start an embedded anvil in the data dir. */
  rpcUrl?: string
  /** Deployments file (contract addresses) for `rpcUrl`. */
  deploymentsFile?: string
}

/** A connected ledger, and the embedded chain when this node runs one. */
export interface ChainConnection {
  ledger: Ledger
  rpcUrl: string
  deploymentsFile: string
  embedded?: EmbeddedChain
  stop(): Promise<void>
}

/** Redeem window of the embedded development chain's escrow (seconds after a job's deadline). */
export const EMBEDDED_REDEEM_WINDOW = 3600n

/**
 * DisputeResolver of the embedded development chain: the default deposit and referee stake, with 1-hour
 * appeal and vote windows (like its redeem window), so that a dispute can be settled in a session.
 */
export const EMBEDDED_DISPUTE_PARAMS: DisputeResolverParams = {
  ...DEFAULT_DISPUTE_PARAMS,
  appealWindowSeconds: 3600n,
  voteWindowSeconds: 3600n,
}

/**
 * Start the embedded chain (anvil, state in `<data-dir>/chain`) and deploy the contracts once, or use
 * `rpcUrl` with its deployments file. Returns a ledger client for this node's Ethereum key.
 */
export async function connectChain(
  layout: DataDirLayout,
  options: ChainOptions,
  privateKey: Hex,
  log: Logger,
): Promise<ChainConnection> {
  let embedded: EmbeddedChain | undefined
  let rpcUrl = options.rpcUrl
  let deploymentsFile = options.deploymentsFile
  if (rpcUrl) {
    if (!deploymentsFile) {
      throw new InvalidInputError('--rpc-url needs --deployments <file> with the contract addresses', {
        metaMessages: ['Deploy with `forge script contracts/script/Deploy.s.sol` (see docs/ledger.md).'],
      })
    }
  } else {
    embedded = await startEmbeddedChain({ dataDir: layout.chain })
    rpcUrl = embedded.rpcUrl
    deploymentsFile = join(layout.chain, 'deployments.json')
    await ensureDeployed({
      rpcUrl,
      privateKey: ANVIL_FAUCET_KEY,
      file: deploymentsFile,
      redeemWindow: EMBEDDED_REDEEM_WINDOW,
      disputes: EMBEDDED_DISPUTE_PARAMS,
    })
    log.info({ rpcUrl }, 'embedded chain ready')
  }
  const deployments = await readDeployments(deploymentsFile!)
  const ledger = await createLedger({ rpcUrl, privateKey, deployments })
  if (ledger.chainId !== deployments.chainId) {
    throw new InvalidInputError(
      `Deployments file is for chain ${deployments.chainId}, the RPC serves chain ${ledger.chainId}`,
    )
  }
  return {
    ledger,
    rpcUrl,
    deploymentsFile: deploymentsFile!,
    embedded,
    async stop() {
      await embedded?.stop()
    },
  }
}

/**
 * On a local chain, give a new account (zero balance) tokens and gas so it can pay for jobs and redeem
 * vouchers. An account that already holds tokens is left alone, so balances survive restarts unchanged.
 * Retries with jitter: several nodes starting together share the faucet's account nonce.
 */
export async function fundIfLocal(ledger: Ledger, amount: bigint, log: Logger): Promise<void> {
  if (!LOCAL_CHAIN_IDS.has(ledger.chainId)) return
  if ((await ledger.balance()) > 0n) return
  for (let attempt = 1; ; attempt++) {
    try {
      await ledger.faucet(ledger.address, amount)
      return
    } catch (err) {
      if (attempt >= 5) throw err
      log.debug({ attempt, err: (err as Error).message }, 'faucet retry')
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 400 * attempt))
    }
  }
}
