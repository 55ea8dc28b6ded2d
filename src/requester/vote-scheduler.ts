import type { SignedTaskResult } from '../ledger/dispute-actions.js'
import { decideQuorum, type VerificationPlan, type VerificationPolicy } from '../verify/index.js'
import { type Shard, ShardFailedError } from './shard-plan.js'

/** One provider's answer to one shard. */
export interface Answer {
  provider: string
  taskId: string
  hash: string
  body: Uint8Array
  /** The provider's signed result for disputes, when the agreement asked for it. */
  evidence?: SignedTaskResult
  /** The execution provider it ran on, as the provider reported it, and its reason for a CPU fallback. */
  ep?: string
  epFallback?: string
}

/** What an answer decided. */
export type VoteResult =
  | { status: 'accepted'; winner: Answer; agreeing: Answer[]; outvoted: Answer[]; plan: VerificationPlan }
  | { status: 'pending' }
  | { status: 'no-quorum'; answers: Answer[] }
  /**
   * The shard was already decided (or the answer was not asked for); `agrees`: an outstanding replica
   * whose answer matches the accepted one (useful work, paid once).
   */
  | { status: 'late'; agrees: boolean }

interface Vote {
  plan: VerificationPlan
  /** Providers that should be working on or have answered this shard. */
  want: number
  inflight: Set<string>
  answers: Answer[]
  tried: Set<string>
  accepted?: Answer
}

const UNCHECKED: VerificationPlan = { replicas: 1, quorum: 1, maxReplicas: 1, canary: false }

/**
 * Assigns shards to providers so that each is answered by as many DISTINCT providers as the verification
 * policy plans for it (the first taker's plan), decides each shard by quorum, re-opens a shard that needs
 * another opinion, and takes shards back from providers that fail or vanish. Without a policy every
 * shard is taken once and accepted on its first answer (the fast path).
 */
export class VoteScheduler {
  readonly #shards: Shard[]
  readonly #votes = new Map<number, Vote>()
  /** Started, undecided shards that need another provider. */
  readonly #open = new Set<number>()
  #cursor = 0
  #done = 0

  constructor(
    shards: Shard[],
    private readonly policy: VerificationPolicy | undefined,
    private readonly equal: (a: Answer, b: Answer) => boolean,
    private readonly maxAttempts = 6,
  ) {
    this.#shards = shards
    for (const s of shards) {
      if (s.status === 'assigned') s.status = 'pending'
      if (s.status === 'done') this.#done++
    }
  }

  get shards(): readonly Shard[] {
    return this.#shards
  }

  get doneCount(): number {
    return this.#done
  }

  get allDone(): boolean {
    return this.#done === this.#shards.length
  }

  /** Shards waiting for another provider (for stall detection). */
  get openCount(): number {
    return this.#open.size
  }

  /**
   * The next shard for `provider` (shards that need a replica first) and whether it is a replica; the
   * plan tells the caller whether to add a canary. Undefined when nothing is left for this provider.
   */
  take(provider: string): { shard: Shard; replica: boolean; plan: VerificationPlan } | undefined {
    for (const idx of this.#open) {
      const v = this.#votes.get(idx)!
      if (v.tried.has(provider)) continue
      this.#assign(idx, v, provider)
      return { shard: this.#shards[idx], replica: true, plan: v.plan }
    }
    for (let i = this.#cursor; i < this.#shards.length; i++) {
      const s = this.#shards[i]
      if (s.status !== 'pending' || this.#votes.has(i)) {
        if (i === this.#cursor) this.#cursor++
        continue
      }
      const plan = this.policy ? this.policy.plan({ id: String(i) }, provider) : UNCHECKED
      const v: Vote = { plan, want: plan.replicas, inflight: new Set(), answers: [], tried: new Set() }
      this.#votes.set(i, v)
      this.#assign(i, v, provider)
      if (i === this.#cursor) this.#cursor++
      return { shard: s, replica: false, plan }
    }
    return undefined
  }

  #assign(idx: number, v: Vote, provider: string): void {
    const s = this.#shards[idx]
    s.status = 'assigned'
    s.provider ??= provider
    s.attempts++
    v.inflight.add(provider)
    v.tried.add(provider)
    this.#reopen(idx, v)
  }

  #reopen(idx: number, v: Vote): void {
    if (!v.accepted && v.inflight.size + v.answers.length < v.want) this.#open.add(idx)
    else this.#open.delete(idx)
  }

  /** Record `answer` for shard `idx` and decide. */
  answer(idx: number, answer: Answer): VoteResult {
    const v = this.#votes.get(idx)
    if (v?.accepted) {
      // Paid at most once per assignment: only a provider still assigned to the shard (not released, not
      // already answered) can have its late answer count as agreeing.
      const assigned = v.inflight.delete(answer.provider)
      return { status: 'late', agrees: assigned && this.equal(v.accepted, answer) }
    }
    if (!v?.inflight.delete(answer.provider)) return { status: 'late', agrees: false }
    v.answers.push(answer)
    const d = decideQuorum(
      v.answers.map((a) => ({ provider: a.provider, output: a })),
      { quorum: v.plan.quorum, maxReplicas: v.plan.maxReplicas, equal: this.equal },
    )
    if (d.status === 'accepted') {
      v.accepted = d.output
      this.#open.delete(idx)
      this.#markDone(idx, d.output.provider)
      const agree = new Set(d.agreeing)
      return {
        status: 'accepted',
        winner: d.output,
        agreeing: v.answers.filter((a) => agree.has(a.provider)),
        outvoted: v.answers.filter((a) => !agree.has(a.provider)),
        plan: v.plan,
      }
    }
    if (d.status === 'pending') {
      v.want = Math.min(v.plan.maxReplicas, Math.max(v.want, v.answers.length + d.needed))
      this.#reopen(idx, v)
      return { status: 'pending' }
    }
    // no quorum is possible: start this shard over with fresh providers
    const answers = v.answers
    this.#votes.delete(idx)
    this.#open.delete(idx)
    this.#restart(idx)
    return { status: 'no-quorum', answers }
  }

  /** Accept the best answer so far without a quorum (no other provider can be found); false if none. */
  settleUnchecked(idx: number): Answer | undefined {
    const v = this.#votes.get(idx)
    if (!v || v.accepted || v.answers.length === 0 || v.inflight.size > 0) return undefined
    v.accepted = v.answers[0]
    this.#open.delete(idx)
    this.#markDone(idx, v.accepted.provider)
    return v.accepted
  }

  /**
   * Open shards whose every answer is in and that still wait for another provider — given `live`, only
   * those that no live provider can still check (every one of them answered already): a shard merely
   * queued behind a busy second provider is not stalled.
   */
  stalled(live?: ReadonlySet<string>): number[] {
    return [...this.#open].filter((i) => {
      const v = this.#votes.get(i)!
      if (v.inflight.size !== 0 || v.answers.length === 0) return false
      return !live || [...live].every((p) => v.tried.has(p))
    })
  }

  /** Mark a shard done outside any vote (computed by the requester itself). */
  markLocal(idx: number): void {
    if (this.#shards[idx].status !== 'done') this.#markDone(idx, undefined)
    this.#votes.delete(idx)
    this.#open.delete(idx)
  }

  #markDone(idx: number, provider: string | undefined): void {
    const s = this.#shards[idx]
    s.status = 'done'
    s.provider = provider
    this.#done++
  }

  #restart(idx: number): void {
    const s = this.#shards[idx]
    if (s.attempts >= this.maxAttempts * Math.max(1, this.policy ? 3 : 1))
      throw new ShardFailedError(`Shard ${idx} found no agreeing results in ${s.attempts} attempts`)
    s.status = 'pending'
    s.provider = undefined
    if (idx < this.#cursor) this.#cursor = idx
  }

  /** Give a shard back (provider failed or vanished). Throws ShardFailedError past the attempt limit. */
  release(idx: number, provider: string, countAttempt = true): void {
    const s = this.#shards[idx]
    const v = this.#votes.get(idx)
    if (!s || !v?.inflight.delete(provider)) return
    if (v.accepted) return // decided already: an outstanding late replica has nothing to give back
    v.tried.delete(provider)
    if (!countAttempt) s.attempts--
    else if (s.attempts >= this.maxAttempts * (v.plan.maxReplicas || 1))
      throw new ShardFailedError(`Shard ${idx} failed on ${s.attempts} attempts`)
    if (v.inflight.size === 0 && v.answers.length === 0) {
      this.#votes.delete(idx)
      this.#open.delete(idx)
      this.#restart(idx)
    } else this.#reopen(idx, v)
  }

  /** Give back every shard `provider` is working on; returns their indexes. */
  releaseAll(provider: string): number[] {
    const out: number[] = []
    for (const [idx, v] of [...this.#votes]) {
      if (v.inflight.has(provider)) {
        this.release(idx, provider)
        out.push(idx)
      }
    }
    return out
  }
}
