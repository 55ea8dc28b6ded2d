import '../polyfill.js'
import { Command } from 'commander'

/** The CLI's version. */
export const VERSION = '0.1.0'

/**
 * Every command, loaded only when it runs: importing a command loads libp2p, viem, onnxruntime and the node
 * (~1 s), which `mutirao --version` and a mistyped command should not pay for.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./commands/init.js')).initCommand(),
  node: async () => (await import('./commands/node.js')).nodeCommand(),
  submit: async () => (await import('./commands/submit.js')).submitCommand(),
  stream: async () => (await import('./commands/stream.js')).streamCommand(),
  jobs: async () => (await import('./commands/jobs.js')).jobsCommand(),
  cancel: async () => (await import('./commands/jobs.js')).cancelCommand(),
  job: async () => (await import('./commands/jobs.js')).jobCommand(),
  result: async () => (await import('./commands/result.js')).resultCommand(),
  status: async () => (await import('./commands/status.js')).statusCommand(),
  provider: async () => (await import('./commands/provider.js')).providerCommand(),
  chain: async () => (await import('./commands/chain.js')).chainCommand(),
  network: async () => (await import('./commands/network.js')).networkCommand(),
  fl: async () => (await import('./commands/fl.js')).flCommand(),
  demo: async () => (await import('./commands/demo.js')).demoCommand(),
  wallet: async () => (await import('./commands/wallet.js')).walletCommand(),
  faucet: async () => (await import('./commands/faucet.js')).faucetCommand(),
  stake: async () => (await import('./commands/stake.js')).stakeCommand(),
  unstake: async () => (await import('./commands/stake.js')).unstakeCommand(),
  ledger: async () => (await import('./commands/ledger.js')).ledgerCommand(),
  ui: async () => (await import('./commands/ui.js')).uiCommand(),
}

/** The names of the CLI's commands. */
export const COMMAND_NAMES = Object.keys(COMMANDS)

/**
 * Build the `mutirao` program with `only` its named commands loaded (default: all of them, for help and
 * tests). Every command takes --data-dir and --json.
 */
export async function program(only: readonly string[] = COMMAND_NAMES): Promise<Command> {
  const root = new Command('mutirao')
    .description('Mutirão: pool idle computers to run and co-build AI, every contribution paid and recorded')
    .version(VERSION)
    .showHelpAfterError()
  for (const cmd of await Promise.all(only.map((name) => COMMANDS[name]()))) root.addCommand(cmd)
  return root
}

/** CLI entry point: loads the one command asked for (all of them only for help or an unknown command). */
export async function main(argv: string[]): Promise<void> {
  const [first, second] = argv.slice(2)
  const named = [first, first === 'help' ? second : undefined].filter(
    (n): n is string => n !== undefined && n in COMMANDS,
  )
  const light = first === '--version' || first === '-V'
  const cmd = light
    ? new Command('mutirao').version(VERSION)
    : await program(named.length ? named : COMMAND_NAMES)
  // Usage errors (unknown option, missing argument) are invalid input: exit 2, in every subcommand too.
  const override = (c: Command): void => {
    c.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    for (const sub of c.commands) override(sub)
  }
  override(cmd)
  await cmd.parseAsync(argv)
}
