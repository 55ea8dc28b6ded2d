import { Command } from 'commander'
import type { ProviderExplanation } from '../../provider/explain.js'
import { connect } from '../../sdk/client.js'
import { EXIT } from '../exit-codes.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao provider explain`: why this machine is or is not getting work. */
export function providerCommand(): Command {
  const provider = new Command('provider').description("the running node's provider role")
  provider
    .command('explain')
    .description(
      'why this machine is or is not getting work: its state, the demands it saw and what it did with them',
    )
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output ({ state, reasons: [{ code, message }] })')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const node = (await (await connect({ dataDir: opts.dataDir })).node()) as {
          provider: { explain?: ProviderExplanation } | null
        }
        const explain: ProviderExplanation = node.provider?.explain ?? {
          state: 'waiting',
          reasons: [{ code: 'no-demand', message: 'this node is not a provider: start it with --provide' }],
        }
        if (opts.json) return printJson(explain)
        console.log(`provider ${explain.state}`)
        for (const r of explain.reasons) console.log(`  ${r.code.padEnd(11)} ${r.message}`)
        return node.provider ? EXIT.ok : EXIT.failed
      }),
    )
  return provider
}
