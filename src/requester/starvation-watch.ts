/** What the job loop knows each turn, for {@link StarvationWatch}. */
export interface JobLoopState {
  /** Providers banned from the job (excluded by verification or for malformed output). */
  banned: number
  /** Of those, excluded by the verification policy. */
  excluded: number
  policy: string
  /** Live sessions. */
  live: number
  /** Live sessions with tasks in flight (or pausing while their provider says it is busy). */
  working: number
  /** Shards not yet accepted. */
  remainingShards: number
}

/**
 * Tells a job that waits in vain apart from one that is merely slow: once providers were banned, work
 * remains and no live session has anything in flight (every open shard was tried by every live provider,
 * or no provider is left) for `graceMs` on end, the policy can no longer be satisfied and the job should
 * fail now with a clear error instead of at its deadline. Without bans the job keeps waiting for
 * providers (they may come back).
 */
export class StarvationWatch {
  #since?: number

  constructor(private readonly graceMs: number) {}

  /** Feed one turn of the job loop; returns the error to fail with, or undefined. */
  update(s: JobLoopState, now = Date.now()): Error | undefined {
    if (s.banned === 0 || s.remainingShards === 0 || s.working > 0) {
      this.#since = undefined
      return undefined
    }
    this.#since ??= now
    if (now - this.#since < this.graceMs) return undefined
    return new Error(
      `verification cannot complete: ${s.live} provider(s) left after ${s.banned} banned ` +
        `(${s.excluded} excluded by the ${s.policy} policy), too few to give the ${s.remainingShards} ` +
        `remaining shard(s) the distinct agreeing answers they need (waited ${Math.round(this.graceMs / 1000)} s)`,
    )
  }
}
