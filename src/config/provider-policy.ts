import { z } from 'zod'
import { DEFAULT_ASK, parsePrice } from '../market/price.js'
import { JobKind } from '../protocols/market-messages.js'

/** Largest price: a uint256. */
const MAX_UINT256 = (1n << 256n) - 1n
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
