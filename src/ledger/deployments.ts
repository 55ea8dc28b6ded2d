import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Address, createPublicClient, createWalletClient, getAddress, type Hex, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
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
import { chainFor } from './context.js'
import { DeploymentError } from './errors.js'

const log = logger('ledger:deploy')

/** Addresses of the ledger contracts on one chain. */
export interface Deployments {
  chainId: number
  token: Address
  registry: Address
  escrow: Address
  /** LineageRegistry (model lineage anchors); absent in deployments made before it existed. */
  lineage?: Address
  /** Block of the deployment; event queries start here. */
  fromBlock: bigint
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected an address')
const deploymentsSchema = z.object({
  chainId: z.number().int().positive(),
  token: address,
  registry: address,
  escrow: address,
  lineage: address.optional(),
  fromBlock: z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).default(0),
})

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
  const r = deploymentsSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new DeploymentError(`Invalid deployments file ${file}: ${issue?.path.join('.')}: ${issue?.message}`)
  }
  const d = r.data
  return {
    chainId: d.chainId,
    token: getAddress(d.token),
    registry: getAddress(d.registry),
    escrow: getAddress(d.escrow),
    ...(d.lineage ? { lineage: getAddress(d.lineage) } : {}),
    fromBlock: BigInt(d.fromBlock),
  }
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
}

/**
 * Deploys MutiraoToken, ProviderRegistry, JobEscrow and LineageRegistry once and records their addresses
 * in `file`. When the file exists for this chain and the contracts have code, they are reused (a file
 * from before LineageRegistry existed gets one deployed and added).
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
      const lineageCode = existing.lineage && (await pub.getCode({ address: existing.lineage }))
      if (lineageCode && lineageCode !== '0x') return existing
      const lineage = await deployLineageRegistry(options, chainId)
      const d = { ...existing, lineage }
      await writeDeployments(options.file, d)
      log.info({ lineage }, 'lineage registry deployed')
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
  const d: Deployments = {
    chainId,
    token: getAddress(token),
    registry: getAddress(registry),
    escrow: getAddress(escrow),
    lineage: getAddress(lineage),
    fromBlock: tokenR.blockNumber,
  }
  await writeDeployments(options.file, d)
  log.info({ ...d, fromBlock: String(d.fromBlock) }, 'ledger contracts deployed')
  return d
}

async function writeDeployments(file: string, d: Deployments): Promise<void> {
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
