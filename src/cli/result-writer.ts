import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeNpy } from '../exec/npy.js'
import type { TensorMap } from '../exec/tensor.js'
import { tensorToValues } from '../exec/tensor-values.js'
import type { JobKind } from '../protocols/market-messages.js'
import { wasmJobOutputs } from '../sdk/wasm-job.js'
import { writeWasmRuns } from './wasm-result-writer.js'

/**
 * Write job outputs: `*.json` → one JSON object { name: { dtype, dims, data } } (int64 as strings when
 * beyond 2^53); anything else is a directory receiving one `<name>.npy` per output. `wasm` jobs: each
 * run's exit code and stdout (writeWasmRuns).
 */
export async function writeResult(outputs: TensorMap, out: string, kind?: JobKind): Promise<string[]> {
  if (kind === 'wasm') return writeWasmRuns(wasmJobOutputs(outputs), out)
  if (out.endsWith('.json')) {
    const obj = Object.fromEntries(
      Object.entries(outputs).map(([name, t]) => [
        name,
        {
          dtype: t.dtype,
          dims: t.dims,
          data: tensorToValues(t).map((v) =>
            typeof v === 'bigint'
              ? v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
                ? Number(v)
                : v.toString()
              : v,
          ),
        },
      ]),
    )
    await writeFile(out, `${JSON.stringify(obj)}\n`)
    return [out]
  }
  await mkdir(out, { recursive: true })
  const files: string[] = []
  for (const [name, t] of Object.entries(outputs)) {
    const file = join(out, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.npy`)
    await writeFile(file, writeNpy(t))
    files.push(file)
  }
  return files
}
