import {
  type Outcome,
  ProviderExcludedError,
  type TaskRef,
  type VerificationPlan,
  type VerificationPolicy,
} from './types.js'

/** Serialisable state of a combined policy: the parts' snapshots, in order. */
export interface CombinedState {
  kind: 'combined'
  parts: unknown[]
}

/**
 * Runs several policies together (e.g. adaptive + spot canaries): the plan takes the most replicas,
 * the highest quorum and any part's canary; every outcome goes to every part; a provider excluded by any
 * part is excluded.
 */
export function combine(...parts: VerificationPolicy[]): VerificationPolicy<CombinedState> {
  if (parts.length === 0) throw new RangeError('combine() needs at least one policy')
  return {
    kind: `combined(${parts.map((p) => p.kind).join('+')})`,
    plan(task: TaskRef, provider: string): VerificationPlan {
      if (parts.some((p) => p.isExcluded(provider))) throw new ProviderExcludedError(provider)
      const plans = parts.map((p) => p.plan(task, provider))
      return {
        replicas: Math.max(...plans.map((p) => p.replicas)),
        quorum: Math.max(...plans.map((p) => p.quorum)),
        maxReplicas: Math.max(...plans.map((p) => p.maxReplicas)),
        canary: plans.some((p) => p.canary),
      }
    },
    record(o: Outcome) {
      for (const p of parts) p.record(o)
    },
    isExcluded(provider: string) {
      return parts.some((p) => p.isExcluded(provider))
    },
    snapshot() {
      return { kind: 'combined', parts: parts.map((p) => p.snapshot()) }
    },
  }
}
