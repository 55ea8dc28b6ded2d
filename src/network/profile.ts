import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import type { DataDirLayout } from '../identity/data-dir.js'
import { type Deployments, readDeployments, writeDeployments } from '../ledger/deployments.js'
import { parseMultiaddr } from '../net/addresses.js'
import { NETWORK_NAME } from '../net/wire.js'

const MAX_PROFILE_BYTES = 64 * 1024
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected an address')

/**
 * A network: the one chain its nodes pay each other on (chain id, RPC URL, contract addresses) and the
 * peers a new node joins through. Written by `mutirao network create`, imported by `mutirao init --network`.
 */
export const NetworkProfileSchema = z.object({
  v: z.literal(1),
  /** Lower-case name, also the data dir's record of which network it joined. */
  name: z.string().regex(NETWORK_NAME, 'lower-case letters, digits and dashes, up to 40'),
  chainId: z.number().int().positive(),
  rpcUrl: z.string().url(),
  deployments: z.object({
    token: address,
    registry: address,
    escrow: address,
    lineage: address.optional(),
    disputeResolver: address.optional(),
    fromBlock: z.number().int().nonnegative(),
  }),
  /** Bootstrap and relay peers (`…/p2p/<id>`); any one of them is enough to join. */
  bootstrap: z.array(z.string().max(400)).max(32),
})
export type NetworkProfile = z.infer<typeof NetworkProfileSchema>

/** The profile of a deployment: what `network create` writes. */
export function profileOf(name: string, rpcUrl: string, d: Deployments, bootstrap: string[]): NetworkProfile {
  return NetworkProfileSchema.parse({
    v: 1,
    name,
    chainId: d.chainId,
    rpcUrl,
    deployments: {
      token: d.token,
      registry: d.registry,
      escrow: d.escrow,
      ...(d.lineage ? { lineage: d.lineage } : {}),
      ...(d.disputeResolver ? { disputeResolver: d.disputeResolver } : {}),
      fromBlock: Number(d.fromBlock),
    },
    bootstrap: bootstrap.map((a) => parseMultiaddr(a, '--bootstrap')),
  })
}

/** Read and validate a profile file; errors name the file and the bad field. */
export async function readProfile(file: string): Promise<NetworkProfile> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new InvalidInputError(`Cannot read the network profile ${file}`, { cause: err })
  }
  if (text.length > MAX_PROFILE_BYTES) throw new InvalidInputError(`${file} is larger than 64 KiB`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new InvalidInputError(`${file} is not JSON`, { cause: err })
  }
  const r = NetworkProfileSchema.safeParse(json)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new InvalidInputError(
      `Invalid network profile ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
      {
        metaMessages: ['Ask whoever runs the network for its profile (written by `mutirao network create`).'],
      },
    )
  }
  for (const a of r.data.bootstrap) parseMultiaddr(a, `${file}: bootstrap`)
  return r.data
}

/**
 * Store the profile in the data dir (`network/profile.json`, `network/deployments.json`) and return the
 * config fields that make the node use it: the chain, its contracts and the bootstrap peers.
 */
export async function installProfile(layout: DataDirLayout, p: NetworkProfile) {
  const dir = join(layout.root, 'network')
  await mkdir(dir, { recursive: true })
  const deploymentsFile = join(dir, 'deployments.json')
  await writeDeployments(deploymentsFile, {
    chainId: p.chainId,
    ...p.deployments,
    fromBlock: BigInt(p.deployments.fromBlock),
  } as Deployments)
  await readDeployments(deploymentsFile) // the same checks every node start makes
  await writeFile(join(dir, 'profile.json'), `${JSON.stringify(p, null, 2)}\n`)
  return { network: p.name, bootstrap: p.bootstrap, chain: { rpcUrl: p.rpcUrl, deploymentsFile } }
}
