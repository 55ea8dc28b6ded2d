import { createRng } from '../random.js'
import {
  applyOutcome,
  definedOnly,
  type ProviderBookState,
  type ProviderStats,
  statsOf,
} from './provider-book.js'
import {
  type Outcome,
  ProviderExcludedError,
  type TaskRef,
  type VerificationPlan,
  type VerificationPolicy,
} from './types.js'

/** Parameters of {@link AdaptivePolicy}, with their defaults. */
export interface AdaptiveParams {
  /** Consecutive verified valid results before a provider is trusted (BOINC uses 10). Default 10. */
  trustAfter: number
  /** A trusted provider with a record of n tasks is checked with probability min(1, checkScale / n). Default 15. */
  checkScale: number
  /** Floor of the check probability, however long the record. Default 0.01. */
  minCheckRate: number
  /**
   * Invalid results before exclusion (0 = never); a failed canary excludes at once. Default 2: one lost
   * vote is weak evidence (two colluders can outvote an honest provider), see docs/trust.md.
   */
  excludeAfterInvalid: number
}

/** Defaults of {@link AdaptiveParams}; see docs/trust.md for the numbers behind them. */
export const ADAPTIVE_DEFAULTS: AdaptiveParams = {
  trustAfter: 10,
  checkScale: 15,
  minCheckRate: 0.01,
  excludeAfterInvalid: 2,
}

/**
 * What a requester learnt of a provider in earlier jobs: its streak of verified valid results and its record
 * (see ProviderStats). A provider this job has not met yet starts from it instead of from nothing.
 */
export type TrustPrior = (provider: string) => CarriedTrust | undefined

/** The part of a provider's stats that carries from one job to the next. */
export type CarriedTrust = Pick<ProviderStats, 'streak' | 'record'>

/** Serialisable state of {@link AdaptivePolicy}. */
export interface AdaptiveState extends AdaptiveParams {
  kind: 'adaptive'
  rng: number
  providers: ProviderBookState
}

/**
 * BOINC-style adaptive replication. An untrusted provider's every task is checked by one more provider
 * (quorum 2, a third breaks a tie). After `trustAfter` consecutive valid results it is trusted: each task is
 * checked with probability `max(minCheckRate, min(1, checkScale / record))`, falling as its record grows,
 * so a newcomer is checked densely and a veteran rarely. Any invalid result resets the record; a second one (or
 * a failed canary) excludes the provider by default. With a `prior`, a provider's streak and record carry over
 * from the requester's earlier jobs (BOINC keeps a host's consecutive-valid count across workunits), so a
 * warm requester does not re-check every shard of a provider it already trusts.
 */
export class AdaptivePolicy implements VerificationPolicy<AdaptiveState> {
  readonly kind = 'adaptive'
  private readonly s: AdaptiveState
  private readonly rng

  constructor(
    state: Partial<AdaptiveState> = {},
    private readonly prior?: TrustPrior,
  ) {
    this.s = { kind: 'adaptive', ...ADAPTIVE_DEFAULTS, rng: 0, providers: {}, ...definedOnly(state) }
    this.rng = createRng(state.rng)
  }

  /** This job's stats of a provider, started from the prior the first time it is met. */
  #stats(provider: string): ProviderStats {
    const known = this.s.providers[provider]
    if (known) return known
    const st = statsOf(this.s.providers, provider)
    const before = this.prior?.(provider)
    if (before) {
      st.streak = Math.max(0, Math.floor(before.streak))
      st.record = Math.max(st.streak, Math.floor(before.record))
    }
    return st
  }

  /** Probability that a task of this provider is checked now. */
  checkProbability(provider: string): number {
    const st = this.#stats(provider)
    if (st.streak < this.s.trustAfter) return 1
    return Math.max(this.s.minCheckRate, Math.min(1, this.s.checkScale / Math.max(1, st.record)))
  }

  plan(_task: TaskRef, provider: string): VerificationPlan {
    if (this.isExcluded(provider)) throw new ProviderExcludedError(provider)
    const p = this.checkProbability(provider)
    const check = p >= 1 || this.rng.next() < p
    return check
      ? { replicas: 2, quorum: 2, maxReplicas: 3, canary: false }
      : { replicas: 1, quorum: 1, maxReplicas: 1, canary: false }
  }

  record(o: Outcome): void {
    this.#stats(o.provider)
    applyOutcome(this.s.providers, o, this.s.excludeAfterInvalid)
  }

  isExcluded(provider: string): boolean {
    return this.s.providers[provider]?.excluded ?? false
  }

  snapshot(): AdaptiveState {
    return { ...structuredClone(this.s), rng: this.rng.state }
  }
}

/** `adaptive(params)`: an {@link AdaptivePolicy}, starting each provider from `prior` when given. */
export function adaptive(
  params: Partial<AdaptiveParams> & { seed?: number; prior?: TrustPrior } = {},
): AdaptivePolicy {
  const { seed, prior, ...rest } = params
  return new AdaptivePolicy({ ...rest, rng: seed ?? createRng().state }, prior)
}

/**
 * The adaptive part's provider book in a policy snapshot (an adaptive policy, or one combined with others),
 * or undefined when the policy has none: what a requester keeps for its next jobs.
 */
export function adaptiveBook(snapshot: unknown): ProviderBookState | undefined {
  const s = snapshot as { kind?: string; providers?: ProviderBookState; parts?: unknown[] } | undefined
  if (s?.kind === 'adaptive') return s.providers
  if (s?.kind !== 'combined') return undefined
  for (const part of s.parts ?? []) {
    const book = adaptiveBook(part)
    if (book) return book
  }
  return undefined
}
