import { writeFile } from 'node:fs/promises'
import type { WasmRunOutput } from '../sdk/wasm-job.js'

const utf8 = new TextDecoder('utf-8', { fatal: true })

/** One run as written to a result file: stdout as text when it is UTF-8, else as base64. */
export function wasmRunRecord(run: WasmRunOutput, index: number) {
  try {
    return { run: index, exitCode: run.exitCode, stdout: utf8.decode(run.stdout) }
  } catch {
    return { run: index, exitCode: run.exitCode, stdoutBase64: Buffer.from(run.stdout).toString('base64') }
  }
}

/**
 * Write a wasm job's runs: `*.ndjson` → one `{ run, exitCode, stdout }` object per line, anything else →
 * one JSON array of them.
 */
export async function writeWasmRuns(runs: WasmRunOutput[], out: string): Promise<string[]> {
  const records = runs.map(wasmRunRecord)
  const text = out.endsWith('.ndjson')
    ? records.map((r) => `${JSON.stringify(r)}\n`).join('')
    : `${JSON.stringify(records, null, 1)}\n`
  await writeFile(out, text)
  return [out]
}
