import { Command } from 'commander'
import { DTYPE_BYTES, type Tensor } from '../../exec/tensor.js'
import { tensorToValues } from '../../exec/tensor-values.js'
import { connect } from '../../sdk/client.js'
import { printJson, runCommand } from '../output.js'
import { writeResult } from '../result-writer.js'

/** One line about an output tensor: name, dtype, shape and its first values. */
function describeTensor(name: string, t: Tensor): string {
  const total = t.dims.reduce((a, b) => a * b, 1)
  const k = Math.min(6, total)
  const first = tensorToValues({
    dtype: t.dtype,
    dims: [k],
    data: t.data.subarray(0, k * DTYPE_BYTES[t.dtype]),
  })
  const head = first.map((v) =>
    typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(4) : String(v),
  )
  return `${name}: ${t.dtype}[${t.dims.join(', ')}] ${head.join(', ')}${total > k ? ', …' : ''}`
}

/** `mutirao result <job> [--out <file>]`: fetch a finished job's outputs (a summary without --out). */
export function resultCommand(): Command {
  return new Command('result')
    .description(
      "write a finished job's outputs (.json file, or a directory of .npy files; wasm jobs: .json or .ndjson of runs)",
    )
    .argument('<job-id>', 'the job')
    .option('--out <path>', 'output file (.json) or directory (.npy per output); without it, a summary')
    .option('--data-dir <dir>', 'data dir of the node (default ~/.mutirao)')
    .option('--json', 'machine-readable output')
    .action((id, opts) =>
      runCommand(opts.json, async () => {
        const client = await connect({ dataDir: opts.dataDir })
        const [outputs, job] = await Promise.all([client.result(id), client.job(id)])
        const shapes = Object.fromEntries(
          Object.entries(outputs).map(([n, t]) => [n, { dtype: t.dtype, dims: t.dims }]),
        )
        if (!opts.out) {
          if (opts.json) printJson({ jobId: id, files: [], outputs: shapes })
          else {
            for (const [n, t] of Object.entries(outputs)) console.log(describeTensor(n, t))
            console.log('Write them with --out <file.json | dir/> (one .npy per output).')
          }
          return
        }
        const files = await writeResult(outputs, opts.out, job.kind)
        if (opts.json) printJson({ jobId: id, files, outputs: shapes })
        else
          for (const [n, s] of Object.entries(shapes))
            console.log(
              `${n}: ${s.dtype}[${s.dims.join(', ')}] → ${files.length === 1 ? files[0] : opts.out}`,
            )
      }),
    )
}
