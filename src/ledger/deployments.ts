import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Address, createPublicClient, createWalletClient, getAddress, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { logger } from '../log.js'
import {
  jobEscrowAbi,
  jobEscrowBytecode,
  lineageRegistryAbi,
  lineageRegistryBytecode,
  mutiraoTokenAbi,
  mutiraoTokenBytecode,
  providerRegistryAbi,
  providerRegistryBytecode,
} from './abi/index.js'
import { chainFor, createLedgerContext } from './context.js'
import { type Deployments, parseDeployments } from './deployments-schema.js'
import { type DisputeResolverParams, deployDisputeResolver } from './dispute-actions.js'
import { DeploymentError } from './errors.js'
import { deployInferenceOracle } from './oracle-actions.js'

export { type Deployments, deploymentsSchema, parseDeployments } from './deployments-schema.js'

const log = logger('ledger:deploy')

/** Addresses of the ledger contracts on one chain. */
/** Reads and validates a deployments JSON file (as written by ensureDeployed or script/Deploy.s.sol). */
export async function readDeployments(file: string): Promise<Deployments> {
  const text = await readFile(file, 'utf8')
  if (text.length > 64 * 1024) throw new DeploymentError(`Deployments file ${file} is larger than 64 KiB`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new DeploymentError(`Deployments file ${file} is not JSON`, { cause: err })
  }
  return parseDeployments(json, `deployments file ${file}`)
}

/** Options of {@link ensureDeployed}. */
export interface EnsureDeployedOptions {
  rpcUrl: string
  /** Deployer key; it becomes admin, minter and fee owner. */
  privateKey: Hex
  /** Where the addresses are recorded (JSON). */
  file: string
  /** Seconds between requestUnstake and withdraw (default 7 days). */
  unbondingDelay?: bigint
  /** Seconds after a job deadline during which vouchers stay redeemable (default 3 days). */
  redeemWindow?: bigint
  /** DisputeResolver parameters (default {@link DEFAULT_DISPUTE_PARAMS}). */
  disputes?: DisputeResolverParams
  /** Stake an InferenceOracle answerer needs (default {@link DEFAULT_ORACLE_MIN_STAKE}). */
  oracleMinStake?: bigint
}

const TOKEN = 10n ** 18n

/**
 * Default DisputeResolver parameters: an accuser locks 10 MUT per accusation (lost to the accused when an
 * appeal succeeds, so false accusations cost); the accused has 3 days to appeal (as long as the escrow's
 * redeem window, so a provider that checks in at payout time sees it); referees vote within 1 day and
 * need 100 MUT staked (the price of a Sybil referee).
 */
export const DEFAULT_DISPUTE_PARAMS: DisputeResolverParams = {
  deposit: 10n * TOKEN,
  appealWindowSeconds: 3n * 86_400n,
  voteWindowSeconds: 86_400n,
  minRefereeStake: 100n * TOKEN,
}

/** Stake a provider needs to answer oracle requests: 10 MUT (an honest answer risks it only if it lies). */
export const DEFAULT_ORACLE_MIN_STAKE = 10n * TOKEN

/**
 * Deploys MutiraoToken, ProviderRegistry, JobEscrow, LineageRegistry, DisputeResolver and InferenceOracle
 * (both granted SLASHER_ROLE) once and records their addresses in `file`. When the file exists for this
 * chain and the contracts have code, they are reused (a file from before LineageRegistry, DisputeResolver or
 * InferenceOracle existed gets the missing ones deployed and added).
 */
export async function ensureDeployed(options: EnsureDeployedOptions): Promise<Deployments> {
  const transport = http(options.rpcUrl)
  const pub = createPublicClient({ transport })
  const chainId = await pub.getChainId()
  const existing = await readDeployments(options.file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined
    throw err
  })
  if (existing && existing.chainId === chainId) {
    const codes = await Promise.all(
      [existing.token, existing.registry, existing.escrow].map((a) => pub.getCode({ address: a })),
    )
    if (codes.every((c) => c && c !== '0x')) {
      const hasCode = async (a?: Address) => {
        const code = a && (await pub.getCode({ address: a }))
        return Boolean(code && code !== '0x')
      }
      let d = existing
      if (!(await hasCode(d.lineage))) {
        d = { ...d, lineage: await deployLineageRegistry(options, chainId) }
        log.info({ lineage: d.lineage }, 'lineage registry deployed')
      }
      if (!(await hasCode(d.disputeResolver))) {
        d = { ...d, disputeResolver: await deployResolver(options, d) }
        log.info({ disputeResolver: d.disputeResolver }, 'dispute resolver deployed')
      }
      if (!(await hasCode(d.oracle))) {
        d = { ...d, oracle: await deployOracle(options, d) }
        log.info({ oracle: d.oracle }, 'inference oracle deployed')
      }
      if (d !== existing) await writeDeployments(options.file, d)
      return d
    }
    log.warn({ file: options.file }, 'recorded contracts have no code on this chain; deploying again')
  }

  const account = privateKeyToAccount(options.privateKey)
  const chain = chainFor(chainId, options.rpcUrl)
  const wallet = createWalletClient({ account, chain, transport })
  const deploy = async (abi: readonly unknown[], bytecode: Hex, args: readonly unknown[]) => {
    const hash = await wallet.deployContract({ abi: abi as never, bytecode, args: args as never })
    const receipt = await pub.waitForTransactionReceipt({ hash })
    if (!receipt.contractAddress || receipt.status !== 'success') {
      throw new DeploymentError(`Deployment transaction ${hash} failed`)
    }
    return receipt
  }
  const tokenR = await deploy(mutiraoTokenAbi, mutiraoTokenBytecode, [account.address])
  const token = tokenR.contractAddress!
  const registry = (
    await deploy(providerRegistryAbi, providerRegistryBytecode, [
      token,
      options.unbondingDelay ?? 7n * 86_400n,
      account.address,
    ])
  ).contractAddress!
  const escrow = (
    await deploy(jobEscrowAbi, jobEscrowBytecode, [
      token,
      options.redeemWindow ?? 3n * 86_400n,
      account.address,
    ])
  ).contractAddress!
  const lineage = (await deploy(lineageRegistryAbi, lineageRegistryBytecode, [])).contractAddress!
  const base: Deployments = {
    chainId,
    token: getAddress(token),
    registry: getAddress(registry),
    escrow: getAddress(escrow),
    lineage: getAddress(lineage),
    fromBlock: tokenR.blockNumber,
  }
  const withResolver: Deployments = { ...base, disputeResolver: await deployResolver(options, base) }
  const d: Deployments = { ...withResolver, oracle: await deployOracle(options, withResolver) }
  await writeDeployments(options.file, d)
  log.info({ ...d, fromBlock: String(d.fromBlock) }, 'ledger contracts deployed')
  return d
}

/** Write a deployments file (atomically: a temporary file, then a rename). */
export async function writeDeployments(file: string, d: Deployments): Promise<void> {
  await mkdir(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  await writeFile(tmp, `${JSON.stringify({ ...d, fromBlock: Number(d.fromBlock) }, null, 2)}\n`)
  await rename(tmp, file)
}

async function deployLineageRegistry(options: EnsureDeployedOptions, chainId: number): Promise<Address> {
  const transport = http(options.rpcUrl)
  const account = privateKeyToAccount(options.privateKey)
  const wallet = createWalletClient({ account, chain: chainFor(chainId, options.rpcUrl), transport })
  const pub = createPublicClient({ transport })
  const hash = await wallet.deployContract({ abi: lineageRegistryAbi, bytecode: lineageRegistryBytecode })
  const receipt = await pub.waitForTransactionReceipt({ hash })
  if (!receipt.contractAddress || receipt.status !== 'success') {
    throw new DeploymentError(`LineageRegistry deployment transaction ${hash} failed`)
  }
  return getAddress(receipt.contractAddress)
}

/** Deploy a DisputeResolver for `d`'s registry and token and grant it SLASHER_ROLE (deployer = admin). */
async function deployResolver(options: EnsureDeployedOptions, d: Deployments): Promise<Address> {
  const ctx = await createLedgerContext(options.rpcUrl, options.privateKey, d)
  return getAddress(await deployDisputeResolver(ctx, options.disputes ?? DEFAULT_DISPUTE_PARAMS))
}

/** Deploy an InferenceOracle for `d` and grant it SLASHER_ROLE (deployer = admin). */
async function deployOracle(options: EnsureDeployedOptions, d: Deployments): Promise<Address> {
  const ctx = await createLedgerContext(options.rpcUrl, options.privateKey, d)
  return deployInferenceOracle(ctx, options.oracleMinStake ?? DEFAULT_ORACLE_MIN_STAKE)
}
