import { Command } from 'commander'
import { connect } from '../../sdk/client.js'
import { printJson, runCommand } from '../output.js'
import { fmtTokens, parseAmountArg } from './wallet.js'

/** Default faucet amount: 1,000 MUT. */
const DEFAULT_AMOUNT = (10n ** 21n).toString()

/** `mutirao faucet [--amount]`: mint test tokens to the node's account (local chain only). */
export function faucetCommand(): Command {
  return new Command('faucet')
    .description('mint test tokens to the node (local development chain only)')
    .option('--amount <base-units>', 'token base units to mint (default 1000 MUT)', DEFAULT_AMOUNT)
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const amount = parseAmountArg(opts.amount)
        const r = await (await connect({ dataDir: opts.dataDir })).ledger.faucet(amount)
        if (opts.json) return printJson(r)
        console.log(`minted   ${fmtTokens(r.amount)}`)
        console.log(`balance  ${fmtTokens(r.balance)}`)
        console.log(`tx       ${r.txHash}`)
      }),
    )
}
