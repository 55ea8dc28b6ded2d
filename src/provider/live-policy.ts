import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { PRICE_PATTERN, parsePrice, priceAmount } from '../market/price.js'
import type { IdleMonitor } from './idle-monitor.js'
import type { ProviderTerms, WorkGate } from './types.js'

/**
 * A change to the provider policy of a running node (the dashboard, `mutirao provider policy`): the ask in
 * MUT per 1,000 work units (as `--price`), the owner's pause, idle-only mode and the share of the cores.
 */
export const PolicyChangeSchema = z
  .strictObject({
    price: z
      .string({ error: 'price must be a string of MUT per 1,000 work units, e.g. "0.002"' })
      .regex(PRICE_PATTERN, 'price must be MUT per 1,000 work units, a plain decimal such as "0.002"')
      .optional(),
    paused: z.boolean({ error: 'paused must be true or false' }).optional(),
    idleOnly: z.boolean({ error: 'idleOnly must be true or false' }).optional(),
    cpuShare: z
      .number({ error: 'cpuShare must be a number' })
      .gt(0, 'cpuShare must be more than 0 (pause instead to share nothing)')
      .max(1, 'cpuShare must be at most 1 (the whole machine)')
      .optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'name at least one of price, paused, idleOnly, cpuShare')

export type PolicyChange = z.infer<typeof PolicyChangeSchema>

/** The provider policy in force, as the API and the dashboard show it. */
export interface LivePolicyView {
  /** The ask in token base units per work unit, and in MUT per 1,000 units (`--price`). */
  pricePerUnit: string
  price: string
  paused: boolean
  idleOnly: boolean
  /** Idle-only mode's view of the machine (absent while the mode is off). */
  machine?: 'idle' | 'busy'
  cpuShare: number
  /** Tasks offered at once now (new sessions get this many slots). */
  threads: number
  /** What waits for a restart (a share above the worker threads this run started with). */
  pending?: string
}

/** The fields of the saved policy (`config.json`'s `provider`) a change rewrites. */
export interface SavedPolicyPatch {
  pricePerUnit?: string
  paused?: boolean
  cpuShare?: number
  idleOnly?: { enabled: boolean }
}

/** What a live policy acts on. */
export interface LivePolicyOptions {
  /** The terms object the provider agent reads (its ask and slots are changed in place). */
  terms: ProviderTerms
  cores: number
  cpuShare: number
  paused: boolean
  /** The idle monitor when idle-only mode is on at start. */
  idle?: IdleMonitor
  /** Makes (and starts) an idle monitor when the owner turns idle-only mode on. */
  createIdle: () => IdleMonitor
  /** Persists a change into the node's config, so that it survives a restart. */
  save: (patch: SavedPolicyPatch) => Promise<void>
}

/**
 * The provider policy of a running node, changeable while it runs: a new ask applies to the next demand and
 * advert, a pause or idle-only mode to the next task, a smaller share to the next session (a larger one up
 * to the worker threads this run started with; beyond, at restart). Every change is saved to the config.
 */
export class LivePolicy {
  readonly #o: LivePolicyOptions
  readonly #poolThreads: number
  #paused: boolean
  #cpuShare: number
  #idle?: IdleMonitor

  constructor(o: LivePolicyOptions) {
    this.#o = o
    this.#poolThreads = o.terms.threads
    this.#paused = o.paused
    this.#cpuShare = o.cpuShare
    this.#idle = o.idle
  }

  /** The work gate: the owner did not pause, and idle-only mode (when on) sees an idle machine. */
  readonly gate: WorkGate = {
    accepting: () => !this.#paused && (!this.#idle || this.#idle.state === 'idle'),
    why: () => (this.#paused ? 'paused by the owner' : 'idle-only: the owner is using the machine'),
  }

  /** The idle monitor while idle-only mode is on. */
  get idle(): IdleMonitor | undefined {
    return this.#idle
  }

  get paused(): boolean {
    return this.#paused
  }

  view(): LivePolicyView {
    const wanted = this.#threadsFor(this.#cpuShare)
    return {
      pricePerUnit: this.#o.terms.pricePerUnit.toString(),
      price: priceAmount(this.#o.terms.pricePerUnit),
      paused: this.#paused,
      idleOnly: this.#idle !== undefined,
      ...(this.#idle ? { machine: this.#idle.state } : {}),
      cpuShare: this.#cpuShare,
      threads: this.#o.terms.threads,
      ...(wanted > this.#poolThreads
        ? {
            pending: `cpuShare ${this.#cpuShare} asks for ${wanted} worker threads; this run started ${this.#poolThreads}: the rest come at the next start`,
          }
        : {}),
    }
  }

  /**
   * Apply a change (validated: untrusted input from the API) and save it.
   *
   * @throws {InvalidInputError} naming the bad field.
   */
  async apply(input: unknown): Promise<LivePolicyView> {
    const parsed = PolicyChangeSchema.safeParse(input)
    if (!parsed.success) {
      const i = parsed.error.issues[0]
      throw new InvalidInputError(
        `invalid policy change: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`,
        {
          metaMessages: [
            'Send a JSON object with any of: price ("0.002"), paused, idleOnly (true/false), cpuShare (0..1].',
          ],
        },
      )
    }
    const c = parsed.data
    const patch: SavedPolicyPatch = {}
    if (c.price !== undefined) {
      this.#o.terms.pricePerUnit = parsePrice(c.price)
      patch.pricePerUnit = this.#o.terms.pricePerUnit.toString()
    }
    if (c.paused !== undefined) this.#paused = patch.paused = c.paused
    if (c.cpuShare !== undefined) {
      this.#cpuShare = patch.cpuShare = c.cpuShare
      this.#o.terms.threads = Math.min(this.#poolThreads, this.#threadsFor(c.cpuShare))
    }
    if (c.idleOnly !== undefined) {
      patch.idleOnly = { enabled: c.idleOnly }
      if (c.idleOnly && !this.#idle) this.#idle = this.#o.createIdle()
      if (!c.idleOnly && this.#idle) {
        this.#idle.stop()
        this.#idle = undefined
      }
    }
    await this.#o.save(patch)
    return this.view()
  }

  /** Stop the idle monitor (node shutdown). */
  stop(): void {
    this.#idle?.stop()
  }

  #threadsFor(share: number): number {
    return Math.min(this.#o.cores, Math.max(1, Math.ceil(share * this.#o.cores - 1e-9)))
  }
}
