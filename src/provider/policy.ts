import { type ProviderPolicy, ProviderPolicySchema } from '../config/provider-policy.js'
import { MutiraoError } from '../errors.js'
import type { Hardware } from './hardware.js'

/** The owner's provider policy failed validation, or does not fit the machine. */
export class InvalidPolicyError extends MutiraoError {
  override name = 'InvalidPolicyError'
}

/** The least memory a provider must grant tasks to be useful. */
export const MIN_TASK_MEMORY_BYTES = 64 * 1024 * 1024

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
