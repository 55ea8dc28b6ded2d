import { execFile } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { logger } from '../log.js'

const log = logger('hardware')

/** GPU vendors Mutirão tells apart; everything else is `'other'`. */
export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'other'

/** One GPU found on the machine. `memoryBytes` is absent when the source does not report it. */
export interface Gpu {
  vendor: GpuVendor
  name: string
  memoryBytes?: number
}

/** What the provider's machine has: the input to {@link resolvePolicy} and to the capacity advertisement. */
export interface Hardware {
  cpus: { count: number; model: string }
  memoryBytes: number
  gpus: Gpu[]
  platform: NodeJS.Platform
  arch: string
}

/** Injection points for {@link detectHardware}; tests replace them, production uses the defaults. */
export interface DetectHardwareOptions {
  /** Runs a program and resolves its stdout, rejecting when it is missing or fails. */
  run?: (file: string, args: string[], timeoutMs: number) => Promise<string>
  /** Directory holding one folder per NVIDIA GPU (default `/proc/driver/nvidia/gpus`). */
  nvidiaProcDir?: string
  /** Time limit for each external program (default 3000 ms). */
  timeoutMs?: number
}

/** Longest output read from a program or a /proc file; more is cut off. */
const MAX_OUTPUT_BYTES = 256 * 1024
const MIB = 1024 * 1024

/** Best-effort vendor from a device or marketing name. */
export function gpuVendorOf(name: string): GpuVendor {
  if (/nvidia|geforce|quadro|tesla|\brtx\b|\bgtx\b/i.test(name)) return 'nvidia'
  if (/\bamd\b|advanced micro devices|\bati\b|radeon/i.test(name)) return 'amd'
  if (/intel/i.test(name)) return 'intel'
  if (/apple/i.test(name)) return 'apple'
  return 'other'
}

/**
 * Parses `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits` (one `name, MiB` line per
 * GPU). Lines that do not fit are skipped; a memory value that is not a number (`[N/A]`) is left out.
 */
export function parseNvidiaSmi(text: string): Gpu[] {
  const gpus: Gpu[] = []
  for (const line of text.split('\n')) {
    const comma = line.lastIndexOf(',')
    if (comma <= 0) continue
    const name = line.slice(0, comma).trim()
    const mib = Number(line.slice(comma + 1).trim())
    if (!name) continue
    const gpu: Gpu = { vendor: 'nvidia', name }
    if (line.slice(comma + 1).trim() !== '' && Number.isFinite(mib) && mib > 0) gpu.memoryBytes = mib * MIB
    gpus.push(gpu)
  }
  return gpus
}

/** Parses one `/proc/driver/nvidia/gpus/<bus>/information` file (its `Model:` line); null without one. */
export function parseNvidiaProcInformation(text: string): Gpu | null {
  const match = /^Model:\s*(.+)$/m.exec(text)
  const name = match?.[1].trim()
  return name ? { vendor: 'nvidia', name } : null
}

/**
 * Parses `lspci` output: keeps `VGA compatible controller`, `3D controller` and `Display controller` lines,
 * naming each GPU by the text after the class (without the `(rev xx)` suffix). No memory size: lspci's BAR
 * sizes are not the GPU's memory.
 */
export function parseLspci(text: string): Gpu[] {
  const gpus: Gpu[] = []
  for (const line of text.split('\n')) {
    const match =
      /^\S+\s+(?:VGA compatible controller|3D controller|Display controller)(?:\s*\[[0-9a-f]+\])?:\s*(.+)$/i.exec(
        line.trim(),
      )
    if (!match) continue
    const name = match[1].replace(/\s*\(rev [0-9a-f]+\)\s*$/i, '').trim()
    if (name) gpus.push({ vendor: gpuVendorOf(name), name })
  }
  return gpus
}

function runProgram(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    )
  })
}

async function readSmall(path: string): Promise<string> {
  const buf = await readFile(path)
  return buf.subarray(0, MAX_OUTPUT_BYTES).toString('utf8')
}

async function nvidiaFromProc(dir: string): Promise<Gpu[]> {
  const entries = (await readdir(dir)).sort()
  const gpus: Gpu[] = []
  for (const entry of entries.slice(0, 64)) {
    const gpu = parseNvidiaProcInformation(await readSmall(join(dir, entry, 'information')).catch(() => ''))
    if (gpu) gpus.push(gpu)
  }
  return gpus
}

/**
 * Finds GPUs, trying in turn nvidia-smi, `/proc/driver/nvidia/gpus/*\/information` and `lspci`; the first
 * source that names at least one GPU wins. Never throws: a missing tool or file just moves on, and a machine
 * with no detectable GPU gets `[]`.
 */
export async function detectGpus(options: DetectHardwareOptions = {}): Promise<Gpu[]> {
  const run = options.run ?? runProgram
  const timeoutMs = options.timeoutMs ?? 3000
  const sources: Array<[string, () => Promise<Gpu[]>]> = [
    [
      'nvidia-smi',
      async () =>
        parseNvidiaSmi(
          await run(
            'nvidia-smi',
            ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'],
            timeoutMs,
          ),
        ),
    ],
    ['nvidia-proc', () => nvidiaFromProc(options.nvidiaProcDir ?? '/proc/driver/nvidia/gpus')],
    ['lspci', async () => parseLspci(await run('lspci', [], timeoutMs))],
  ]
  for (const [source, find] of sources) {
    try {
      const gpus = await find()
      if (gpus.length > 0) {
        log.debug({ source, gpus }, 'GPUs detected')
        return gpus
      }
    } catch (err) {
      log.debug({ source, err: (err as Error).message }, 'GPU source unavailable')
    }
  }
  return []
}

/**
 * Describes this machine: CPU cores and model and total memory from `node:os`, GPUs from {@link detectGpus}.
 *
 * @example
 * const hw = await detectHardware()
 * // { cpus: { count: 2, model: 'Intel(R) Xeon(R) …' }, memoryBytes: 25276510208, gpus: [], platform: 'linux', arch: 'x64' }
 */
export async function detectHardware(options: DetectHardwareOptions = {}): Promise<Hardware> {
  const cpus = os.cpus()
  return {
    cpus: {
      count: Math.max(
        1,
        typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
      ),
      model: cpus[0]?.model.trim() || 'unknown',
    },
    memoryBytes: os.totalmem(),
    gpus: await detectGpus(options),
    platform: os.platform(),
    arch: os.arch(),
  }
}
