import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { createPublicClient, type Hex, http } from 'viem'
import { InvalidInputError } from '../../errors.js'
import { ensureDeployed } from '../../ledger/index.js'
import { type NetworkProfile, profileOf } from '../../network/profile.js'
import { printJson, runCommand } from '../output.js'

/** The deployer key: from `--key-file`, else `$MUTIRAO_DEPLOYER_KEY` (never a command-line argument). */
async function deployerKey(file?: string): Promise<Hex> {
  const text = file
    ? (
        await readFile(file, 'utf8').catch((err: Error) => {
          throw new InvalidInputError(`Cannot read the deployer key file ${file}`, { cause: err })
        })
      ).trim()
    : process.env.MUTIRAO_DEPLOYER_KEY?.trim()
  if (!text)
    throw new InvalidInputError('No deployer key', {
      metaMessages: ['Give --key-file <file> (a 0x… private key) or set MUTIRAO_DEPLOYER_KEY.'],
    })
  const key = text.startsWith('0x') ? text : `0x${text}`
  if (!/^0x[0-9a-fA-F]{64}$/.test(key))
    throw new InvalidInputError('The deployer key is not a 32-byte hex private key')
  return key as Hex
}

/** `mutirao network create`: deploy the contracts to an EVM chain and write the profile others import. */
export function networkCommand(): Command {
  const network = new Command('network').description(
    'networks: one chain and its bootstrap peers, shared by every node',
  )
  network
    .command('create')
    .description(
      'deploy the Mutirão contracts to an EVM chain and write the network profile for others to import',
    )
    .requiredOption('--name <name>', 'network name (lower-case letters, digits, dashes)')
    .requiredOption('--rpc-url <url>', "JSON-RPC URL of the chain, as the network's nodes will reach it")
    .option(
      '--key-file <file>',
      "deployer private key (else $MUTIRAO_DEPLOYER_KEY); it becomes the contracts' admin",
    )
    .option(
      '--bootstrap <multiaddr>',
      'a bootstrap/relay peer of the network (repeatable)',
      (v: string, a: string[] = []) => [...a, v],
    )
    .requiredOption('--out <file>', 'where to write the profile (JSON)')
    .option('--json', 'machine-readable output')
    .action((o) =>
      runCommand(o.json, async () => {
        const key = await deployerKey(o.keyFile)
        const chainId = await createPublicClient({ transport: http(o.rpcUrl) })
          .getChainId()
          .catch((err: Error) => {
            throw new InvalidInputError(`No EVM chain answers at ${o.rpcUrl}`, { details: err.message })
          })
        const dir = await mkdtemp(join(tmpdir(), 'mutirao-network-'))
        let profile: NetworkProfile
        try {
          const d = await ensureDeployed({
            rpcUrl: o.rpcUrl,
            privateKey: key,
            file: join(dir, 'deployments.json'),
          })
          profile = profileOf(o.name, o.rpcUrl, d, o.bootstrap ?? [])
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
        await writeFile(o.out, `${JSON.stringify(profile, null, 2)}\n`)
        if (o.json) return printJson({ event: 'created', file: o.out, ...profile })
        console.log(
          `Network ${profile.name} on chain ${chainId}: contracts deployed, profile written to ${o.out}`,
        )
        console.log(`  escrow ${profile.deployments.escrow}, token ${profile.deployments.token}`)
        console.log(`Nodes join with: mutirao init --network ${o.out} --data-dir <dir>`)
      }),
    )
  return network
}
