import { Command } from 'commander'
import { connect } from '../../sdk/client.js'
import { printJson, runCommand } from '../output.js'
import { writeResult } from '../result-writer.js'

/** `mutirao result <job> --out <file>`: fetch a finished job's outputs. */
export function resultCommand(): Command {
  return new Command('result')
    .description(
      "write a finished job's outputs (.json file, or a directory of .npy files; wasm jobs: .json or .ndjson of runs)",
    )
    .argument('<job-id>', 'the job')
    .requiredOption('--out <path>', 'output file (.json) or directory (.npy per output)')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((id, opts) =>
      runCommand(opts.json, async () => {
        const client = await connect({ dataDir: opts.dataDir })
        const [outputs, job] = await Promise.all([client.result(id), client.job(id)])
        const files = await writeResult(outputs, opts.out, job.kind)
        const shapes = Object.fromEntries(
          Object.entries(outputs).map(([n, t]) => [n, { dtype: t.dtype, dims: t.dims }]),
        )
        if (opts.json) printJson({ jobId: id, files, outputs: shapes })
        else
          for (const [n, s] of Object.entries(shapes))
            console.log(
              `${n}: ${s.dtype}[${s.dims.join(', ')}] → ${files.length === 1 ? files[0] : opts.out}`,
            )
      }),
    )
}
