import { Command } from 'commander'
import { connect, isNetworkError, JobFailedError, NodeStoppedError } from '../../sdk/client.js'
import { submitJobFile } from '../../sdk/submit-job-file.js'
import { EXIT } from '../exit-codes.js'
import { formatJobSummary } from '../job-summary.js'
import { printJson, runCommand } from '../output.js'
import { progressRenderer } from '../progress.js'
import { writeResult } from '../result-writer.js'

/** `mutirao submit job.json`: validate, submit to the local node, watch progress, summarise. */
export function submitCommand(): Command {
  return new Command('submit')
    .description(
      'submit a job (ONNX: examples/wdbc-inference/job.json; wasm: examples/wasm-montecarlo/job.json) and wait for it',
    )
    .argument('<job-file>', 'job spec (JSON)')
    .option('--data-dir <dir>', 'data dir of the node to submit through (default ~/.mutirao)')
    .option('--no-wait', 'return as soon as the job is accepted')
    .option(
      '--out <file>',
      'write the outputs when done (.json, or a directory for .npy files; wasm: .json or .ndjson of runs)',
    )
    .option('--json', 'machine-readable output')
    .action((file, opts) =>
      runCommand(opts.json, async () => {
        const client = await connect({ dataDir: opts.dataDir })
        const accepted = await submitJobFile(client, file)
        if (!opts.wait) {
          if (opts.json) printJson(accepted)
          else
            console.log(
              `Submitted ${accepted.jobId} (${accepted.samplesTotal} samples, ${accepted.shardsTotal} shards)`,
            )
          return
        }
        const bar = progressRenderer(!opts.json)
        const abort = new AbortController()
        // Ctrl-C and SIGTERM both cancel the job on the node, then report what it did.
        const onSignal = () => abort.abort()
        process.once('SIGINT', onSignal)
        process.once('SIGTERM', onSignal)
        let final: Awaited<ReturnType<typeof client.job>>
        try {
          final = await client
            .wait(accepted.jobId, { signal: abort.signal, onProgress: (p) => bar.update(p) })
            .catch(async (err) => {
              bar.stop()
              if (abort.signal.aborted) throw err
              if (err instanceof JobFailedError) return err.progress
              if (isNetworkError(err)) throw new NodeStoppedError(accepted.jobId, err)
              return client.job(accepted.jobId)
            })
        } finally {
          bar.stop()
          process.off('SIGINT', onSignal)
          process.off('SIGTERM', onSignal)
        }
        if (final.status === 'done' && opts.out)
          await writeResult(await client.result(final.jobId), opts.out, final.kind)
        if (opts.json) printJson(final)
        else console.log(formatJobSummary(final))
        return final.status === 'done' ? EXIT.ok : EXIT.failed
      }),
    )
}
