import { createRng } from '../random.js'
import { applyOutcome, definedOnly, type ProviderBookState } from './provider-book.js'
import {
  type Outcome,
  ProviderExcludedError,
  type TaskRef,
  type VerificationPlan,
  type VerificationPolicy,
} from './types.js'

/** Serialisable state of {@link SpotPolicy}. */
export interface SpotState {
  kind: 'spot'
  /** Canaries per real task, in [0, 1]. */
  rate: number
  /** Failed canaries before exclusion (0 = never). Default 1: a wrong known answer is unambiguous. */
  excludeAfterInvalid: number
  rng: number
  providers: ProviderBookState
}

/**
 * Spot checking: with probability `rate` per real task, the provider also receives a canary — a task
 * whose answer the requester knows — that it cannot tell from real work. Real tasks are not replicated.
 * Only canary outcomes count here.
 */
export class SpotPolicy implements VerificationPolicy<SpotState> {
  readonly kind = 'spot'
  private readonly s: SpotState
  private readonly rng

  constructor(state: Partial<SpotState> & { rate: number }) {
    if (!(state.rate >= 0 && state.rate <= 1))
      throw new RangeError(`spot rate must be in [0, 1], got ${state.rate}`)
    this.s = {
      kind: 'spot',
      excludeAfterInvalid: 1,
      rng: 0,
      providers: {},
      ...definedOnly(state),
      rate: state.rate,
    }
    this.rng = createRng(state.rng)
  }

  plan(_task: TaskRef, provider: string): VerificationPlan {
    if (this.isExcluded(provider)) throw new ProviderExcludedError(provider)
    return { replicas: 1, quorum: 1, maxReplicas: 1, canary: this.rng.next() < this.s.rate }
  }

  record(o: Outcome): void {
    if (o.canary) applyOutcome(this.s.providers, o, this.s.excludeAfterInvalid)
  }

  isExcluded(provider: string): boolean {
    return this.s.providers[provider]?.excluded ?? false
  }

  snapshot(): SpotState {
    return { ...structuredClone(this.s), rng: this.rng.state }
  }
}

/** `spot(rate)`: a {@link SpotPolicy}. */
export function spot(rate: number, opts: { seed?: number; excludeAfterInvalid?: number } = {}): SpotPolicy {
  return new SpotPolicy({
    rate,
    rng: opts.seed ?? createRng().state,
    excludeAfterInvalid: opts.excludeAfterInvalid,
  })
}
