import { Command } from 'commander'
import { runDemo } from '../../demo/run-demo.js'
import { EXIT } from '../exit-codes.js'
import { formatJobSummary } from '../job-summary.js'
import { bold, green, printJson, runCommand } from '../output.js'
import { progressRenderer } from '../progress.js'

/** `mutirao demo`: the whole story on one machine, in separate processes. */
export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'train a classifier on WDBC, then run it as an inference job on a local network of separate processes',
    )
    .option('--providers <n>', 'provider processes to start', (v) => Number.parseInt(v, 10), 3)
    .option('--keep <dir>', 'keep the data dirs of the demo nodes in this directory')
    .option('--json', 'machine-readable report')
    .action((opts) =>
      runCommand(opts.json, async () => {
        const bar = progressRenderer(!opts.json)
        const report = await runDemo({
          providers: opts.providers,
          workDir: opts.keep,
          say: opts.json ? undefined : (line) => console.log(line),
          onProgress: (p) => bar.update(p),
        })
        bar.stop()
        if (opts.json) {
          printJson(report)
        } else {
          console.log(`\n${formatJobSummary(report.job)}`)
          console.log(bold('\nResult'))
          console.log(
            `  network vs local onnxruntime: max |Δp| = ${report.maxAbsDiffVsLocal.toExponential(2)}, labels ${report.labelsEqualLocal ? 'identical' : 'DIFFER'}`,
          )
          console.log(
            `  accuracy on all ${report.samples} records ${(report.accuracyAllRows * 100).toFixed(1)}% (held-out ${(report.trainAccuracy * 100).toFixed(1)}%)`,
          )
        }
        const paidExactly = report.ledger.providers.every((p) => p.earned === p.expected)
        const proven = report.ledger.proof?.verifiedOnChain === true
        if (!opts.json) {
          console.log(bold('\nLedger'))
          console.log(
            `  providers paid exactly units × price: ${paidExactly ? 'yes' : 'NO'}; one receipt proven on-chain: ${proven ? 'yes' : 'NO'}`,
          )
          console.log(green(`\nDemo finished in ${report.seconds.toFixed(1)} s.`))
        }
        return report.labelsEqualLocal && report.maxAbsDiffVsLocal <= 1e-6 && paidExactly && proven
          ? EXIT.ok
          : EXIT.failed
      }),
    )
}
