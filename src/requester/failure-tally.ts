import { isJobFault, type TaskErrorCode } from '../protocols/task-messages.js'

/** What the tally makes of one task failure. */
export type FailureVerdict =
  /** The provider's own failure (crash, deadline…): it answers for it. */
  | { kind: 'provider-fault' }
  /** Not a fault at all (`busy`). */
  | { kind: 'no-fault' }
  /** A failure of the task itself, not yet reproduced by enough providers: retry elsewhere, blame nobody. */
  | { kind: 'suspect-job' }
  /** Reproduced: the job is at fault; fail it with `message` and blame no provider. */
  | { kind: 'job-fault'; code: TaskErrorCode; message: string; providers: string[] }

/**
 * Tells a provider's failure from a failure of the job, per shard. A code that every honest provider
 * reproduces (`isJobFault`: invalid input, the model failing in the runtime, a sandbox limit) costs no
 * reputation when reported; once `min(2, live providers)` distinct providers report the same code for the
 * same shard, the job is at fault. A provider that reported such a code for a shard that another provider
 * then completed was wrong: {@link FailureTally.completed} returns it, to be charged a fault after all.
 * One provider alone cannot fail a job (unless it is the only one) nor dodge work without cost.
 */
export class FailureTally {
  /** shard → code → providers that reported it */
  readonly #reports = new Map<number, Map<TaskErrorCode, Set<string>>>()

  /**
   * Record a failure of `provider` on shard `idx` with `code` and the provider's `message`.
   * @param liveProviders providers currently working on the job (one alone can confirm a job fault).
   */
  report(
    idx: number,
    provider: string,
    code: TaskErrorCode,
    message: string,
    liveProviders: number,
  ): FailureVerdict {
    if (code === 'busy') return { kind: 'no-fault' }
    if (!isJobFault(code)) return { kind: 'provider-fault' }
    const byCode = this.#reports.get(idx) ?? new Map<TaskErrorCode, Set<string>>()
    this.#reports.set(idx, byCode)
    const who = byCode.get(code) ?? new Set<string>()
    byCode.set(code, who)
    who.add(provider)
    if (who.size >= Math.min(2, Math.max(1, liveProviders)))
      return { kind: 'job-fault', code, message, providers: [...who] }
    return { kind: 'suspect-job' }
  }

  /** Shard `idx` got a valid result: the providers that claimed it could not be done, to be charged now. */
  completed(idx: number): string[] {
    const byCode = this.#reports.get(idx)
    this.#reports.delete(idx)
    if (!byCode) return []
    return [...new Set([...byCode.values()].flatMap((s) => [...s]))]
  }
}

/** The job's error for a failure reproduced on several providers, with the runtime's own message. */
export function jobFaultMessage(v: Extract<FailureVerdict, { kind: 'job-fault' }>, idx: number): string {
  const what =
    v.code === 'invalid-input'
      ? 'rejected the input'
      : v.code === 'model-failed'
        ? 'the model failed in the runtime'
        : 'the task hit a sandbox limit'
  return `task of shard ${idx} failed the same way on ${v.providers.length} provider(s) (${v.code}: ${what}): ${v.message}`
}
