import { spawn } from 'node:child_process'
import { join, resolve } from 'node:path'

/** The three-hospital example (WDBC split non-IID): its job file, split script and generated CSV files. */
export const HOSPITALS = resolve(import.meta.dirname, '../../examples/fl-hospitals')

/**
 * Writes the hospitals' CSV files and the owner's test rows beside the example (`split.ts`; deterministic, not in
 * git, so a fresh clone has none until this runs). Throws when the split fails.
 */
export async function splitHospitals(): Promise<void> {
  const split = spawn(process.execPath, ['--import', 'tsx', join(HOSPITALS, 'split.ts')], {
    cwd: resolve(HOSPITALS, '../..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  split.stderr!.on('data', (d) => (stderr += d))
  const code = await new Promise((r) => split.on('exit', r))
  if (code !== 0) throw new Error(`examples/fl-hospitals/split.ts exited ${code}: ${stderr}`)
}

/** The owner's `fl start` arguments for the example: the job, the schema and test rows, the target column. */
export const ownerArgs = (jobFile: string) => [
  'start',
  '--job',
  jobFile,
  '--schema-from',
  join(HOSPITALS, 'owner-test.csv'),
  '--target',
  'diagnosis',
  '--test',
  join(HOSPITALS, 'owner-test.csv'),
]
