import { Command } from 'commander'
import { InvalidInputError } from '../../errors.js'
import { mutAmount } from '../../market/price.js'
import { connect } from '../../sdk/client.js'
import { bold, dim, printJson, runCommand } from '../output.js'

/** `1500000000000000000` → `1500000000000000000 (1.5 MUT)`: base units, and tokens for humans. */
export function fmtTokens(baseUnits: string | bigint): string {
  return `${baseUnits} ${dim(`(${mutAmount(baseUnits)} MUT)`)}`
}

/** Parse a CLI amount: a decimal string of token base units, above 0. */
export function parseAmountArg(value: string): bigint {
  if (!/^[0-9]{1,78}$/.test(value) || BigInt(value) === 0n) {
    throw new InvalidInputError(`Not an amount: ${value.slice(0, 80)}`, {
      metaMessages: ['Give a positive whole number of token base units (1 MUT = 10^18 base units).'],
    })
  }
  return BigInt(value)
}

/** `mutirao wallet`: address, token balance, stake, unbonding and pending vouchers of the node. */
export function walletCommand(): Command {
  return new Command('wallet')
    .description("show the node's address, token balance, stake, unbonding tokens and unredeemed vouchers")
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const w = await (await connect({ dataDir: opts.dataDir })).ledger.wallet()
        if (opts.json) return printJson(w)
        console.log(`${bold('address')}     ${w.address}`)
        console.log(
          `peer id     ${w.peerId} ${dim(w.registeredPeerId ? '(registered)' : '(not registered)')}`,
        )
        console.log(`balance     ${fmtTokens(w.balance)}`)
        console.log(`stake       ${fmtTokens(w.stake)}`)
        if (BigInt(w.unbonding.amount) > 0n) {
          const at = new Date(Number(w.unbonding.unlockAt) * 1000).toISOString()
          console.log(`unbonding   ${fmtTokens(w.unbonding.amount)} until ${at}`)
        }
        console.log(
          `chain       ${w.chain.chainId} ${w.chain.rpcUrl}${w.chain.embedded ? ' (embedded)' : ''}`,
        )
        if (!w.pendingVouchers.length) return console.log('pending vouchers: none')
        console.log('pending vouchers:')
        for (const v of w.pendingVouchers) {
          console.log(
            `  escrow job ${v.escrowJob}: ${v.cumulativeUnits} units, unredeemed ${fmtTokens(v.unredeemed)}`,
          )
        }
      }),
    )
}
