import { z } from 'zod'
import { MutiraoError } from '../errors.js'
import { JobKind } from '../market/messages.js'
import { DEFAULT_ASK, parsePrice } from '../market/price.js'
import type { Hardware } from './hardware.js'

/** The owner's provider policy failed validation, or does not fit the machine. */
export class InvalidPolicyError extends MutiraoError {
  override name = 'InvalidPolicyError'
}

/** Largest price: a uint256. */
const MAX_UINT256 = (1n << 256n) - 1n
/** The least memory a provider must grant tasks to be useful. */
export const MIN_TASK_MEMORY_BYTES = 64 * 1024 * 1024
const share = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .gt(0, `${what} must be more than 0 (a provider that grants nothing cannot work)`)
    .max(1, `${what} must be at most 1 (the whole machine)`)

/**
 * The owner's provider policy, as written in the node's config file. Every field has a default, so `{}` is
 * a valid policy: half the cores, a quarter of the memory, 1 base unit per work unit, idle-only mode off.
 */
export const ProviderPolicySchema = z.strictObject({
  /** Share of the CPU cores tasks may use; worker threads = ceil(cpuShare × cores). */
  cpuShare: share('cpuShare').default(0.5),
  /** Share of the machine's memory tasks may use. */
  memoryShare: share('memoryShare').default(0.25),
  /**
   * Price per work unit in token base units, as a decimal string (no sign, no decimals); default 0.001 MUT
   * per 1,000 work units (`mutirao node --price` takes MUT per 1,000 units: src/market/price.ts).
   */
  pricePerUnit: z
    .string({ error: 'pricePerUnit must be a decimal string of token base units, e.g. "1000"' })
    .regex(/^\d{1,78}$/, 'pricePerUnit must be a whole, non-negative number of token base units, e.g. "1000"')
    .refine((s) => !/^\d+$/.test(s) || BigInt(s) <= MAX_UINT256, 'pricePerUnit must fit in a uint256')
    .default(parsePrice(DEFAULT_ASK).toString()),
  /** The owner paused sharing: no new work until resumed (the dashboard, `mutirao provider policy`). */
  paused: z.boolean().default(false),
  /** Stop taking new work while the owner uses the machine (BOINC's "suspend while in use"). */
  idleOnly: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Foreign (non-Mutirão) CPU load, as a share of all cores, above which the machine is in use. */
      busyThreshold: share('idleOnly.busyThreshold').default(0.25),
      /** Quiet time before taking work again (BOINC: 3 minutes). */
      idleAfterSeconds: z
        .number()
        .min(0, 'idleOnly.idleAfterSeconds must be 0 or more')
        .max(86_400)
        .default(180),
      /** CPU sampling period. */
      sampleMs: z.number().int().min(50).max(60_000).default(1000),
    })
    .prefault({}),
  /** Tasks accepted at once; default: one per worker thread. */
  maxConcurrentTasks: z.number().int().min(1, 'maxConcurrentTasks must be at least 1').max(1024).optional(),
  /** Job kinds this provider runs (default: both; `wasm` runs only in the sandbox of src/exec/wasm). */
  kinds: z
    .array(JobKind)
    .min(1, 'kinds must name at least one job kind')
    .max(8)
    .refine((k) => new Set(k).size === k.length, 'kinds must not repeat')
    .default(['onnx-inference', 'wasm']),
  /**
   * Serve streaming inference sessions (`/mutirao/stream/1`, `mutirao node --serve-streams`): paid like tasks
   * (an agreement on an escrow naming us payee, vouchers over receipts) at a price above 0; free at price 0.
   */
  streams: z.boolean().default(false),
  /**
   * Run ONNX models on the GPU through onnxruntime's WebGPU execution provider (`webgpu`), probed at start;
   * a machine without a usable adapter, and a model the GPU cannot run, run on the CPU and say so.
   */
  gpu: z.enum(['off', 'webgpu']).default('off'),
})

/** A policy as written (fields optional). */
export type ProviderPolicyInput = z.input<typeof ProviderPolicySchema>
/** A policy with defaults filled in. */
export type ProviderPolicy = z.output<typeof ProviderPolicySchema>

/** The concrete limits the provider agent enforces on this machine. */
export interface ResolvedPolicy {
  /** Worker threads for tasks: ceil(cpuShare × cores), at least 1. */
  threads: number
  cpuShare: number
  /** The owner paused sharing (saved by a policy change). */
  paused: boolean
  /** Memory tasks may use, in bytes. */
  memoryBytes: number
  pricePerUnit: bigint
  maxConcurrentTasks: number
  kinds: ProviderPolicy['kinds']
  /** Serves streaming sessions. */
  streams: boolean
  /** The preferred execution provider of ONNX tasks. */
  executionProvider: 'cpu' | 'webgpu'
  /** Spreadable into `createIdleMonitor` when `enabled`. */
  idleOnly: { enabled: boolean; busyThreshold: number; idleAfterMs: number; sampleMs: number }
}

const GIB = 1024 ** 3

/**
 * Validates the owner's policy and turns it into concrete limits for this machine.
 *
 * @throws {InvalidPolicyError} naming every bad field (a share of 0, a negative or fractional price, an
 *   unknown key or job kind), or when the memory share leaves less than {@link MIN_TASK_MEMORY_BYTES}.
 * @example
 * const limits = resolvePolicy({ cpuShare: 0.5, pricePerUnit: '1000' }, await detectHardware())
 * // { threads: 1, memoryBytes: 6319127552, pricePerUnit: 1000n, maxConcurrentTasks: 1, … }
 */
export function resolvePolicy(
  policy: unknown,
  hardware: Pick<Hardware, 'cpus' | 'memoryBytes'>,
): ResolvedPolicy {
  const parsed = ProviderPolicySchema.safeParse(policy ?? {})
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`)
    throw new InvalidPolicyError(`Invalid provider policy: ${problems[0]}`, {
      details: problems.join('; '),
      metaMessages: [
        'Fix the provider section of the node config (see `mutirao init`).',
        'Shares are fractions in (0, 1]; pricePerUnit is a decimal string of token base units.',
      ],
    })
  }
  const p = parsed.data
  const cores = hardware.cpus.count
  if (
    !Number.isInteger(cores) ||
    cores < 1 ||
    !Number.isFinite(hardware.memoryBytes) ||
    hardware.memoryBytes <= 0
  ) {
    throw new InvalidPolicyError(
      `Cannot apply a policy to hardware with ${cores} cores and ${hardware.memoryBytes} bytes`,
      {
        metaMessages: ['Pass the result of detectHardware().'],
      },
    )
  }
  const threads = Math.min(cores, Math.max(1, Math.ceil(p.cpuShare * cores - 1e-9)))
  const memoryBytes = Math.floor(p.memoryShare * hardware.memoryBytes)
  if (memoryBytes < MIN_TASK_MEMORY_BYTES) {
    const mib = (n: number) => `${Math.floor(n / 1024 ** 2)} MiB`
    throw new InvalidPolicyError(
      `memoryShare ${p.memoryShare} of ${(hardware.memoryBytes / GIB).toFixed(1)} GiB leaves ${mib(memoryBytes)} for tasks`,
      { metaMessages: [`Grant tasks at least ${mib(MIN_TASK_MEMORY_BYTES)}: raise memoryShare.`] },
    )
  }
  return {
    threads,
    cpuShare: p.cpuShare,
    paused: p.paused,
    memoryBytes,
    pricePerUnit: BigInt(p.pricePerUnit),
    maxConcurrentTasks: p.maxConcurrentTasks ?? threads,
    kinds: p.kinds,
    streams: p.streams,
    executionProvider: p.gpu === 'off' ? 'cpu' : p.gpu,
    idleOnly: {
      enabled: p.idleOnly.enabled,
      busyThreshold: p.idleOnly.busyThreshold,
      idleAfterMs: Math.round(p.idleOnly.idleAfterSeconds * 1000),
      sampleMs: p.idleOnly.sampleMs,
    },
  }
}
