import { Command } from 'commander'
import type { JobProgress } from '../../requester/job-spec.js'
import { connect } from '../../sdk/client.js'
import { type EscrowView, formatJobSummary, jobsTable } from '../job-summary.js'
import { printJson, runCommand } from '../output.js'

/** `mutirao jobs [id]`: list jobs, or show one. */
export function jobsCommand(): Command {
  return new Command('jobs')
    .description('list the jobs of the local node, or show one')
    .argument('[job-id]', 'show this job')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((id, opts) =>
      runCommand(opts.json, async () => {
        const client = await connect({ dataDir: opts.dataDir })
        if (id) {
          const job = await client.job(id)
          if (opts.json) printJson(job)
          else console.log(formatJobSummary(job))
          return
        }
        const jobs = await client.jobs()
        if (opts.json) return printJson(jobs)
        if (!jobs.length) return console.log('No jobs yet. Submit one with `mutirao submit job.json`.')
        console.log(jobsTable(jobs as (JobProgress & { escrow?: EscrowView | null })[]))
      }),
    )
}

/** `mutirao cancel <job-id>`: stop a running job (what was done stays paid; the rest of the escrow is refundable). */
export function cancelCommand(): Command {
  return new Command('cancel')
    .description('cancel a running job of the local node')
    .argument('<job-id>', 'the job')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((id, opts) =>
      runCommand(opts.json, async () => {
        const client = await connect({ dataDir: opts.dataDir })
        const before = await client.job(id)
        if (before.status !== 'running') {
          if (opts.json) printJson(before)
          else console.log(`${id} is already ${before.status}; nothing to cancel.`)
          return
        }
        await client.cancel(id)
        let job = await client.job(id)
        for (let i = 0; i < 50 && job.status === 'running'; i++) {
          await new Promise((r) => setTimeout(r, 100))
          job = await client.job(id)
        }
        if (opts.json) printJson(job)
        else console.log(formatJobSummary(job))
      }),
    )
}

/** `mutirao job explain <id>`: what happened to a job and why, one fact per line (`--json`: `{ reasons }`). */
export function jobCommand(): Command {
  const job = new Command('job').description('one job of the local node')
  job
    .command('explain')
    .description('what happened to a job and why: outcome, who computed what, verification, payment, refund')
    .argument('<job-id>', 'the job')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output ({ jobId, status, reasons: [{ code, message }] })')
    .option('--mut-price <amount>', 'what 1 MUT is worth to you: money is also shown in --currency')
    .option('--currency <code>', 'the currency of --mut-price', 'USD')
    .action((id, opts) =>
      runCommand(opts.json, async () => {
        const { explainJob } = await import('../../requester/job-explain.js')
        const { parseFiatRate } = await import('../../market/fiat.js')
        const rate = opts.mutPrice !== undefined ? parseFiatRate(opts.mutPrice, opts.currency) : undefined
        const progress = (await (await connect({ dataDir: opts.dataDir })).job(id)) as JobProgress & {
          escrow?: Parameters<typeof explainJob>[1]
        }
        const explained = explainJob(progress, progress.escrow, rate)
        if (opts.json) return printJson(explained)
        console.log(`job ${explained.jobId} ${explained.status}`)
        for (const r of explained.reasons) console.log(`  ${r.code.padEnd(12)} ${r.message}`)
      }),
    )
  return job
}
