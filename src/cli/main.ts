import '../polyfill.js'
import { Command } from 'commander'
import { chainCommand } from './commands/chain.js'
import { demoCommand } from './commands/demo.js'
import { faucetCommand } from './commands/faucet.js'
import { flCommand } from './commands/fl.js'
import { initCommand } from './commands/init.js'
import { cancelCommand, jobsCommand } from './commands/jobs.js'
import { ledgerCommand } from './commands/ledger.js'
import { networkCommand } from './commands/network.js'
import { nodeCommand } from './commands/node.js'
import { providerCommand } from './commands/provider.js'
import { resultCommand } from './commands/result.js'
import { stakeCommand, unstakeCommand } from './commands/stake.js'
import { statusCommand } from './commands/status.js'
import { streamCommand } from './commands/stream.js'
import { submitCommand } from './commands/submit.js'
import { walletCommand } from './commands/wallet.js'

/** Build the `mutirao` program (every command takes --data-dir and --json). */
export function program(): Command {
  return new Command('mutirao')
    .description('Mutirão: pool idle computers to run and co-build AI, every contribution paid and recorded')
    .version('0.1.0')
    .showHelpAfterError()
    .addCommand(initCommand())
    .addCommand(nodeCommand())
    .addCommand(submitCommand())
    .addCommand(streamCommand())
    .addCommand(jobsCommand())
    .addCommand(cancelCommand())
    .addCommand(resultCommand())
    .addCommand(statusCommand())
    .addCommand(providerCommand())
    .addCommand(chainCommand())
    .addCommand(networkCommand())
    .addCommand(flCommand())
    .addCommand(demoCommand())
    .addCommand(walletCommand())
    .addCommand(faucetCommand())
    .addCommand(stakeCommand())
    .addCommand(unstakeCommand())
    .addCommand(ledgerCommand())
}

/** CLI entry point. */
export async function main(argv: string[]): Promise<void> {
  const cmd = program()
  // Usage errors (unknown option, missing argument) are invalid input: exit 2, in every subcommand too.
  const override = (c: Command): void => {
    c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    for (const sub of c.commands) override(sub)
  }
  override(cmd)
  await cmd.parseAsync(argv)
}
