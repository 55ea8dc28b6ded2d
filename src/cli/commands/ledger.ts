import { Command } from 'commander'
import { InvalidInputError } from '../../errors.js'
import { ACTIVITY_WORDS, activityDetails, activitySubject, utc } from '../../sdk/activity-words.js'
import { connect } from '../../sdk/client.js'
import { EXIT } from '../exit-codes.js'
import { green, printJson, red, runCommand } from '../output.js'
import { fmtTokens } from './wallet.js'

const common = (cmd: Command) =>
  cmd
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')

/** `mutirao ledger contributions|activity|receipts|prove|reclaim|withdraw`: the on-chain record of work and payment. */
export function ledgerCommand(): Command {
  const ledger = new Command('ledger').description(
    'contributions and activity recorded on the chain, receipt proofs, escrow',
  )
  ledger.addCommand(
    common(new Command('contributions'))
      .description('list contributions recorded on-chain (ContributionRecorded events)')
      .option('--provider <address>', 'only this provider (Ethereum address)')
      .option('--job <escrow-job-id>', 'only this escrow job')
      .action((opts) =>
        runCommand(opts.json, async () => {
          if (opts.job !== undefined && !/^[0-9]{1,78}$/.test(opts.job))
            throw new InvalidInputError(`--job is not an escrow job id: ${opts.job}`)
          const client = await connect({ dataDir: opts.dataDir })
          const list = await client.ledger.contributions({ provider: opts.provider, job: opts.job })
          if (opts.json) return printJson(list)
          if (!list.length) return console.log('No contributions recorded.')
          for (const c of list) {
            console.log(
              `job ${c.jobId}  ${c.provider}  ${c.units} units  ${fmtTokens(c.amount)}  root ${c.receiptsRoot}  block ${c.blockNumber}`,
            )
          }
        }),
      ),
  )
  ledger.addCommand(
    common(new Command('activity'))
      .description(
        'what happened on the chain, newest first: escrow jobs, payments, stakes, slashes, disputes',
      )
      .option('--mine', "only this node's account")
      .option('--account <address>', 'only this account (Ethereum address)')
      .option('--limit <n>', 'how many events', '50')
      .action((opts) =>
        runCommand(opts.json, async () => {
          const limit = Number(opts.limit)
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
            throw new InvalidInputError(`--limit is not a count in 1..1000: ${opts.limit}`)
          const client = await connect({ dataDir: opts.dataDir })
          const list = await client.ledger.activity({ account: opts.mine ? 'me' : opts.account, limit })
          if (opts.json) return printJson(list)
          if (!list.length) return console.log('Nothing on the chain yet.')
          for (const e of list) {
            const extra = [...activityDetails(e), e.counterparty ? `by ${e.counterparty}` : ''].filter(
              Boolean,
            )
            console.log(
              `${utc(e.time)}  ${e.account} ${ACTIVITY_WORDS[e.kind]}${e.amount === undefined ? '' : ` ${fmtTokens(e.amount)}`}${extra.length ? ` (${extra.join(', ')})` : ''}  ${activitySubject(e)}  tx ${e.txHash} block ${e.blockNumber}`,
            )
          }
        }),
      ),
  )
  ledger.addCommand(
    common(new Command('receipts'))
      .description('provider: list recent task receipts covered by a redeemed voucher (provable)')
      .option('--limit <n>', 'how many', '20')
      .action((opts) =>
        runCommand(opts.json, async () => {
          const limit = Number(opts.limit)
          if (!Number.isInteger(limit) || limit < 1)
            throw new InvalidInputError(`--limit is not a count: ${opts.limit}`)
          const list = await (await connect({ dataDir: opts.dataDir })).ledger.receipts(limit)
          if (opts.json) return printJson(list)
          if (!list.length) return console.log('No redeemed task receipts.')
          for (const r of list) console.log(`${r.taskId}  escrow job ${r.escrowJob}  ${r.units} units`)
        }),
      ),
  )
  ledger.addCommand(
    common(new Command('prove'))
      .description("prove one task's receipt against the chain (exit 1 when it does not verify)")
      .argument('<task-id>', 'the task id (as in the provider receipts)')
      .action((taskId, opts) =>
        runCommand(opts.json, async () => {
          const p = await (await connect({ dataDir: opts.dataDir })).ledger.prove(taskId)
          const ok = p.verifiedOnChain && p.verifiedLocally && p.rootRecordedOnChain
          if (opts.json) printJson(p)
          else {
            console.log(`task        ${p.taskId}`)
            console.log(`receipt     ${JSON.stringify(p.receipt, null, 2).replace(/\n/g, '\n            ')}`)
            console.log(
              `root        ${p.root}${p.rootRecordedOnChain ? ' (recorded on-chain)' : ' (NOT recorded on-chain)'}`,
            )
            console.log(`proof       ${p.proof.length ? p.proof.join('\n            ') : '(single leaf)'}`)
            console.log(`redeemed in ${p.redemptionTx}`)
            console.log(`verified on chain: ${p.verifiedOnChain ? green('yes') : red('no')}`)
          }
          return ok ? EXIT.ok : EXIT.failed
        }),
      ),
  )
  ledger.addCommand(
    common(new Command('reclaim'))
      .description("reclaim the unpaid rest of a job's escrow (after deadline + redeem window)")
      .argument('<job-id>', 'the job id (as in `mutirao jobs`)')
      .action((jobId, opts) =>
        runCommand(opts.json, async () => {
          const r = await (await connect({ dataDir: opts.dataDir })).ledger.reclaim(jobId)
          if (opts.json) return printJson(r)
          console.log(`reclaimed ${fmtTokens(r.amount)} from escrow job ${r.escrowJob} (tx ${r.txHash})`)
        }),
      ),
  )
  ledger.addCommand(
    common(new Command('reclaim-session'))
      .description("reclaim the unpaid rest of a streaming session's escrow (after deadline + redeem window)")
      .argument('<escrow-job>', 'the escrow job number `mutirao stream --pay` printed')
      .action((escrowJob, opts) =>
        runCommand(opts.json, async () => {
          const r = await (await connect({ dataDir: opts.dataDir })).reclaimSession(escrowJob)
          if (opts.json) return printJson(r)
          console.log(`reclaimed ${fmtTokens(r.amount)} from escrow job ${r.escrowJob} (tx ${r.txHash})`)
        }),
      ),
  )
  ledger.addCommand(
    common(new Command('withdraw'))
      .description('withdraw unbonded stake after the unbonding delay')
      .action((opts) =>
        runCommand(opts.json, async () => {
          const r = await (await connect({ dataDir: opts.dataDir })).ledger.withdraw()
          if (opts.json) return printJson(r)
          console.log(`balance ${fmtTokens(r.balance)} (tx ${r.txHash})`)
        }),
      ),
  )
  return ledger
}
