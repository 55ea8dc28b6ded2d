import { Command } from 'commander'
import { connect } from '../../sdk/client.js'
import { printJson, runCommand } from '../output.js'
import { fmtTokens, parseAmountArg } from './wallet.js'

/** `mutirao stake <amount>`: stake tokens on the ProviderRegistry (registers the peer id first). */
export function stakeCommand(): Command {
  return new Command('stake')
    .description("stake tokens as a provider (registers the node's peer id on first use)")
    .argument('<amount>', 'token base units')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((amount, opts) =>
      runCommand(opts.json, async () => {
        const value = parseAmountArg(amount)
        const r = await (await connect({ dataDir: opts.dataDir })).ledger.stake(value)
        if (opts.json) return printJson(r)
        if (r.registered) console.log('registered this peer id on the ProviderRegistry')
        console.log(`staked   ${fmtTokens(value)}`)
        console.log(`stake    ${fmtTokens(r.stake)}`)
        console.log(`tx       ${r.txHash}`)
      }),
    )
}

/** `mutirao unstake <amount>`: move stake into unbonding (withdraw with `mutirao ledger withdraw`). */
export function unstakeCommand(): Command {
  return new Command('unstake')
    .description('start unbonding staked tokens (withdraw them after the unbonding delay)')
    .argument('<amount>', 'token base units')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((amount, opts) =>
      runCommand(opts.json, async () => {
        const value = parseAmountArg(amount)
        const r = await (await connect({ dataDir: opts.dataDir })).ledger.unstake(value)
        if (opts.json) return printJson(r)
        const at = new Date(Number(r.unbonding.unlockAt) * 1000).toISOString()
        console.log(`stake      ${fmtTokens(r.stake)}`)
        console.log(`unbonding  ${fmtTokens(r.unbonding.amount)} until ${at}`)
        console.log(`tx         ${r.txHash}`)
      }),
    )
}
