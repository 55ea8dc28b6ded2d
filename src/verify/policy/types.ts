import { MutiraoError } from '../../errors.js'

/** How a verified task ended for one provider. `unchecked`: accepted from a single provider, unverified. */
export type Verdict = 'valid' | 'invalid' | 'timeout' | 'unchecked'

/** A task as the policy sees it (only its id: policies never look at the payload). */
export interface TaskRef {
  id: string
}

/** What the requester must do for one task assigned to one provider. */
export interface VerificationPlan {
  /** Distinct providers that execute the task at first, the assigned one included (1 = unchecked). */
  replicas: number
  /** Agreeing results needed to accept. */
  quorum: number
  /** Most providers to involve when the first ones disagree (add one at a time while pending). */
  maxReplicas: number
  /** Also send this provider a canary (a task with a known answer, indistinguishable from real ones). */
  canary: boolean
}

/** One provider's verdict on one task, fed back to the policy. */
export interface Outcome {
  provider: string
  task: string
  verdict: Verdict
  /** The task was a canary (its answer was known in advance). */
  canary?: boolean
}

/** A verification policy: stateful, but the state is explicit and JSON-serialisable through `snapshot()`. */
export interface VerificationPolicy<S = unknown> {
  readonly kind: string
  /** @throws ProviderExcludedError when the provider was excluded by this policy. */
  plan(task: TaskRef, provider: string): VerificationPlan
  record(outcome: Outcome): void
  isExcluded(provider: string): boolean
  /** A JSON-serialisable copy of the whole state; `new Policy(snapshot)` resumes exactly. */
  snapshot(): S
}

/** The provider was excluded by the policy after failed verifications; do not assign it tasks. */
export class ProviderExcludedError extends MutiraoError {
  override name = 'ProviderExcludedError'
  constructor(provider: string) {
    super(`provider ${provider} is excluded by the verification policy`, {
      metaMessages: ['It returned results that were outvoted or failed canaries; choose another provider.'],
    })
  }
}
