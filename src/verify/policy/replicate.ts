import { applyOutcome, definedOnly, type ProviderBookState } from './provider-book.js'
import {
  type Outcome,
  ProviderExcludedError,
  type TaskRef,
  type VerificationPlan,
  type VerificationPolicy,
} from './types.js'

/** Serialisable state of {@link ReplicatePolicy}. */
export interface ReplicateState {
  kind: 'replicate'
  k: number
  quorum: number
  /** Extra providers allowed beyond k when the first k do not reach quorum (default 0). */
  escalate: number
  /** Lost votes before exclusion (0 = never). Default 2: colluders can win one vote against an honest provider. */
  excludeAfterInvalid: number
  providers: ProviderBookState
}

/**
 * Every task runs on `k` distinct providers and is accepted when `quorum` agree (BOINC's fixed
 * replication). Safe against up to `quorum - 1` colluders per task, at `k - 1` extra compute per task.
 */
export class ReplicatePolicy implements VerificationPolicy<ReplicateState> {
  readonly kind = 'replicate'
  private readonly s: ReplicateState

  constructor(state: Partial<ReplicateState> & { k: number; quorum: number }) {
    if (!(Number.isInteger(state.k) && state.k >= 1 && state.quorum >= 1 && state.quorum <= state.k)) {
      throw new RangeError(`replicate(k, quorum) needs 1 <= quorum <= k, got (${state.k}, ${state.quorum})`)
    }
    this.s = {
      kind: 'replicate',
      escalate: 0,
      excludeAfterInvalid: 2,
      providers: {},
      ...definedOnly(state),
      k: state.k,
      quorum: state.quorum,
    }
  }

  plan(_task: TaskRef, provider: string): VerificationPlan {
    if (this.isExcluded(provider)) throw new ProviderExcludedError(provider)
    return {
      replicas: this.s.k,
      quorum: this.s.quorum,
      maxReplicas: this.s.k + this.s.escalate,
      canary: false,
    }
  }

  record(o: Outcome): void {
    applyOutcome(this.s.providers, o, this.s.excludeAfterInvalid)
  }

  isExcluded(provider: string): boolean {
    return this.s.providers[provider]?.excluded ?? false
  }

  snapshot(): ReplicateState {
    return structuredClone(this.s)
  }
}

/** `replicate(k, quorum)`: a {@link ReplicatePolicy}. */
export function replicate(k: number, quorum: number, opts: Partial<ReplicateState> = {}): ReplicatePolicy {
  return new ReplicatePolicy({ ...opts, k, quorum })
}
