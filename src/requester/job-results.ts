import type { ToRequester } from '../protocols/task-messages.js'
import { sha256Hex } from '../store/blob-store.js'
import { claimedEvidence } from './evidence-check.js'
import { type JobContext, shardCounts, workOf } from './job-context.js'
import { VerificationUnavailableError } from './job-errors.js'
import { addNotice, STALL_MS, stallDecision } from './job-notices.js'
import { checkResult } from './output-check.js'
import type { ProviderSession } from './provider-session.js'
import { resultEquality } from './verification.js'
import type { Answer } from './vote-scheduler.js'

/**
 * Judges the results of one job: checks each (hash, shape, evidence), votes replicas through the
 * scheduler, judges canaries against known answers, stores accepted outputs once, pays every useful answer,
 * and marks outvoted or failing providers (exclusion by the verification policy).
 */
export class JobResults {
  /** Answers kept for evidence (disputes) and payment, by task id. */
  readonly #answers = new Map<string, { session: ProviderSession; inputHash: string }>()

  /** Since when shards wait for a second opinion no provider gives (undefined: none waits). */
  #stallSince?: number

  constructor(private readonly x: JobContext) {}

  /**
   * Shards that wait for a second opinion no provider can give: after a bounded wait the job fails (the error
   * returned names them), unless its spec opted into `fallback: 'unchecked'` — then they are accepted, counted
   * and reported.
   */
  settleStalled(liveProviders: ReadonlySet<string>): Error | undefined {
    const { x } = this
    const live = liveProviders.size
    const stalled = x.sched.stalled(liveProviders)
    if (stalled.length === 0 || x.verification.policy === 'replicate') {
      this.#stallSince = undefined
      return
    }
    this.#stallSince ??= Date.now()
    const single = x.job.spec.providers.max < 2 || live < 2
    const fallback = x.verification.fallback
    const decision = stallDecision({ since: this.#stallSince, now: Date.now(), fallback, single })
    if (decision === 'wait') return
    const why = `no second provider could check ${stalled.length} shard(s) within ${STALL_MS / 1000} s (${live} provider(s) working, providers.max ${x.job.spec.providers.max})`
    if (decision === 'fail')
      return new VerificationUnavailableError(
        `verification '${x.verification.policy}' could not be done: ${why}; add providers, or accept unchecked results with "verification": { "fallback": "unchecked" }`,
      )
    x.c.log.warn({ job: x.job.id, shards: stalled.length }, 'no second provider: accepting unchecked')
    addNotice(x.progress, 'unchecked', `accepted unchecked (fallback: unchecked): ${why}`)
    for (const idx of stalled) {
      const a = x.sched.settleUnchecked(idx)
      if (!a) continue
      x.policy?.record({ provider: a.provider, task: a.taskId, verdict: 'unchecked' })
      shardCounts(x.progress).unchecked++
      this.store(idx, a)
      this.pay(idx, a)
    }
    this.#stallSince = undefined
    x.changed()
  }

  /** A result arrived on `session`: check it, then count it towards its shard (or its canary). */
  async accept(session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array) {
    const { x } = this
    const task = x.tasks.get(msg.taskId)
    x.tasks.delete(msg.taskId)
    const shard = task && x.sched.shards[task.idx]
    let evidence: Answer['evidence']
    try {
      if (!shard || sha256Hex(body) !== msg.outputHash) throw new Error('output does not match its hash')
      if (msg.inputHash !== task.inputHash) throw new Error('result is for another input than the task')
      checkResult(body, x.info().outputs, shard.end - shard.start, x.c.maxResultBytes, x.axes()?.outputs)
      evidence = claimedEvidence(session.agreement, msg)
    } catch (err) {
      x.c.log.warn(
        { provider: session.provider, task: msg.taskId, err: (err as Error).message },
        'malformed result',
      )
      x.banned.add(session.provider)
      x.c.onFault?.({ provider: session.provider, kind: 'malformed', detail: (err as Error).message })
      session.kill('returned malformed output')
      return
    }
    const answer: Answer = {
      provider: session.provider,
      taskId: msg.taskId,
      hash: msg.outputHash,
      body,
      evidence,
      ...(msg.ep && { ep: msg.ep }),
      ...(msg.epFallback && { epFallback: msg.epFallback }),
    }
    this.#answers.set(msg.taskId, { session, inputHash: msg.inputHash })
    if (task.canary) return this.#judgeCanary(task.idx, answer)
    const r = x.sched.answer(task.idx, answer)
    if (r.status === 'late') {
      if (r.agrees) this.pay(task.idx, answer)
      return
    }
    if (r.status === 'no-quorum') {
      x.c.log.warn({ job: x.job.id, shard: task.idx, answers: r.answers.length }, 'no quorum; retrying')
      return
    }
    if (r.status === 'pending') return
    const checked = r.agreeing.length > 1
    if (checked) shardCounts(x.progress).checked++
    else shardCounts(x.progress).single++
    this.store(task.idx, r.winner)
    for (const a of r.agreeing) {
      x.policy?.record({ provider: a.provider, task: a.taskId, verdict: checked ? 'valid' : 'unchecked' })
      this.pay(task.idx, a)
    }
    for (const a of r.outvoted) this.#invalid(a, `outvoted on shard ${task.idx}`)
    x.disputes?.decided(task.idx, task.inputHash, r.agreeing, r.outvoted)
    x.changed()
  }

  #judgeCanary(idx: number, answer: Answer): void {
    const known = this.x.canaries.get(idx)!
    const ok = resultEquality(this.x.job.spec)(known, answer)
    this.x.policy?.record({
      provider: answer.provider,
      task: answer.taskId,
      verdict: ok ? 'valid' : 'invalid',
      canary: true,
    })
    if (ok) this.pay(idx, answer)
    else this.#invalid(answer, `failed a canary (shard ${idx})`)
    this.x.changed()
  }

  #invalid(a: Answer, why: string): void {
    const { x } = this
    x.progress.verification!.invalid++
    x.policy?.record({ provider: a.provider, task: a.taskId, verdict: 'invalid' })
    x.c.log.warn({ job: x.job.id, provider: a.provider, task: a.taskId }, `invalid result: ${why}`)
    x.c.onFault?.({ provider: a.provider, kind: 'outvoted', detail: why })
    if (x.policy?.isExcluded(a.provider)) this.exclude(a.provider)
  }

  /** Work no more with `provider` (the verification policy excluded it); its sessions end. */
  exclude(provider: string): void {
    const { x } = this
    if (x.banned.has(provider)) return
    x.banned.add(provider)
    x.progress.verification!.excluded.push(provider)
    x.c.log.warn({ job: x.job.id, provider }, 'provider excluded by the verification policy')
    for (const s of x.sessions.values()) if (s.provider === provider) s.kill('excluded by verification')
  }

  /** Store a shard's accepted output once and credit its samples to the provider whose bytes are kept. */
  store(idx: number, winner: Answer): void {
    const { x } = this
    const shard = x.sched.shards[idx]
    x.c.store.saveResult(x.job.id, idx, winner.provider, winner.body, winner.hash, winner.ep)
    const p = x.progress
    p.firstResultAt ??= Date.now()
    p.shardsDone++
    p.samplesDone += shard.end - shard.start
    const work = workOf(p, winner.provider)
    work.shards++
    work.samples += shard.end - shard.start
    // Providers that said this shard could not run were wrong after all: they answer for it now.
    for (const provider of x.failures.completed(idx))
      if (provider !== winner.provider)
        x.c.onFault?.({ provider, kind: 'error', detail: `claimed shard ${idx} could not run; it did` })
  }

  /** Pay `a`'s provider for one accepted task (every agreeing replica and passed canary is useful work). */
  pay(idx: number, a: Answer): void {
    const { x } = this
    const info = this.#answers.get(a.taskId)
    this.#answers.delete(a.taskId)
    if (!info) return
    const { session } = info
    const shard = x.sched.shards[idx]
    x.progress.unitsDone += shard.units
    const work = workOf(x.progress, a.provider)
    work.units += shard.units
    // where its work ran, as it reported (replicas included; the store keeps it for the kept shards)
    if (a.ep && !work.executionProviders?.includes(a.ep))
      work.executionProviders = [...(work.executionProviders ?? []), a.ep].sort()
    if (a.epFallback) work.epFallback = a.epFallback
    x.payments?.accepted(session, {
      taskId: a.taskId,
      units: shard.units,
      inputHash: info.inputHash,
      outputHash: a.hash,
    })
    x.c.onAccepted?.({
      agreement: session.agreement,
      shardIdx: idx,
      units: shard.units,
      inputHash: info.inputHash,
      outputHash: a.hash,
    })
  }
}
