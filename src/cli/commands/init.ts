import { Command } from 'commander'
import { initDataDir } from '../../identity/init.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao init`: create the data dir with keys and config. */
export function initCommand(): Command {
  return new Command('init')
    .description('create a data dir with the node keys (libp2p Ed25519, Ethereum secp256k1) and config.json')
    .option('--data-dir <dir>', 'data dir (default ~/.mutirao)')
    .option('--price <units>', 'price per work unit when providing, in token base units')
    .option('--cpu-share <share>', 'share of CPU cores to contribute (0-1]', Number.parseFloat)
    .option('--json', 'machine-readable output')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const provider = {
          ...(opts.price ? { pricePerUnit: opts.price } : {}),
          ...(opts.cpuShare ? { cpuShare: opts.cpuShare } : {}),
        }
        const r = await initDataDir(opts.dataDir, { provider } as never)
        const out = {
          dataDir: r.layout.root,
          created: r.created,
          peerId: r.identity.peerId,
          ethAddress: r.identity.ethAddress,
          config: r.layout.config,
        }
        if (opts.json) printJson(out)
        else {
          console.log(`${r.created ? 'Created' : 'Already initialised:'} ${out.dataDir}`)
          console.log(`  peer id      ${out.peerId}`)
          console.log(`  eth address  ${out.ethAddress}`)
          console.log(`  config       ${out.config}`)
        }
      }),
    )
}
