import { Command } from 'commander'
import { createPublicClient, http } from 'viem'
import { loadConfig, parseConfig, saveConfig } from '../../config/load.js'
import { InvalidInputError } from '../../errors.js'
import { initDataDir } from '../../identity/init.js'
import { parsePrice } from '../../market/price.js'
import { installProfile, readProfile } from '../../network/profile.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao init`: create the data dir with keys and config. */
export function initCommand(): Command {
  return new Command('init')
    .description('create a data dir with the node keys (libp2p Ed25519, Ethereum secp256k1) and config.json')
    .option('--data-dir <dir>', 'data dir (default ~/.mutirao)')
    .option('--price <mut>', 'ask when providing, in MUT per 1,000 work units (as `mutirao node --price`)')
    .option(
      '--network <file>',
      'join a network: its chain, contracts and bootstrap peers (a profile from `mutirao network create`)',
    )
    .option('--cpu-share <share>', 'share of CPU cores to contribute (0-1]', Number.parseFloat)
    .option('--json', 'machine-readable output')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const provider = {
          ...(opts.price ? { pricePerUnit: parsePrice(opts.price).toString() } : {}),
          ...(opts.cpuShare ? { cpuShare: opts.cpuShare } : {}),
        }
        const profile = opts.network ? await readProfile(opts.network) : undefined
        const r = await initDataDir(opts.dataDir, { provider } as never)
        if (profile) {
          const joined = await installProfile(r.layout, profile)
          const config = await loadConfig(r.layout.config)
          await saveConfig(r.layout.config, parseConfig({ ...config, ...joined }))
          const answered = await createPublicClient({ transport: http(profile.rpcUrl) })
            .getChainId()
            .catch(() => undefined)
          if (answered !== undefined && answered !== profile.chainId)
            throw new InvalidInputError(
              `The network profile says chain ${profile.chainId}, but ${profile.rpcUrl} answers as chain ${answered}`,
              { metaMessages: ['Ask for a current profile; the data dir keeps its keys either way.'] },
            )
          if (!opts.json && answered === undefined)
            console.log(`note: ${profile.rpcUrl} does not answer now; the node will say so when it starts`)
        }
        const out = {
          dataDir: r.layout.root,
          created: r.created,
          peerId: r.identity.peerId,
          ethAddress: r.identity.ethAddress,
          config: r.layout.config,
          network: profile?.name ?? r.config.network ?? 'local',
        }
        if (opts.json) printJson(out)
        else {
          console.log(`${r.created ? 'Created' : 'Already initialised:'} ${out.dataDir}`)
          console.log(`  peer id      ${out.peerId}`)
          console.log(`  eth address  ${out.ethAddress}`)
          console.log(`  config       ${out.config}`)
          console.log(`  network      ${out.network}`)
        }
      }),
    )
}
