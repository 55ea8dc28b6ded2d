import { EventEmitter } from 'node:events'
import { firstLine } from '../errors.js'
import { concatAlong } from '../exec/batch-axes.js'
import type { TensorMap } from '../exec/tensor.js'
import { decodeTensors, encodeTensors } from '../exec/tensor-codec.js'
import type { ToRequester } from '../protocols/task-messages.js'
import { adaptiveBook, type VerificationPolicy } from '../verify/index.js'
import { type DisputeFiler, disputeFilerFor } from './dispute-filer.js'
import { FailureTally, jobFaultMessage } from './failure-tally.js'
import { JobAcquisition, remainingSamples } from './job-acquire.js'
import type { JobContext, JobMaterial, JobRunComponents, TaskRef } from './job-context.js'
import { JobDispatch } from './job-dispatch.js'
import { JobFaultError } from './job-errors.js'
import { type KindInfo, kindInfo } from './job-kind.js'
import { addNotice } from './job-notices.js'
import { JobPayments } from './job-payments.js'
import { JobResults } from './job-results.js'
import {
  type JobNotice,
  type JobProgress,
  type VerificationSpec,
  VerificationSpecSchema,
} from './job-spec.js'
import type { JobRecord } from './job-store.js'
import * as timing from './job-timing.js'
import type { ProviderSession } from './provider-session.js'
import { type ShardMap, shardMap } from './shard-map.js'
import { StarvationWatch } from './starvation-watch.js'
import { policyFor, providersPerShard, resultEquality } from './verification.js'
import { type Answer, VoteScheduler } from './vote-scheduler.js'

/**
 * Runs one inference job to completion: finds providers on the market, streams shards to them, checks
 * and stores results, reassigns the shards of providers that fail or vanish, and assembles the outputs
 * in input order. Emits `progress` (JobProgress) on every change.
 */
export class JobRun extends EventEmitter {
  readonly progress: JobProgress
  /** Who computed, or computes, each shard now. */
  shardMap = (): ShardMap => shardMap(this.#sched.shards)
  readonly #sessions = new Map<string, ProviderSession>()
  readonly #banned = new Set<string>()
  readonly #sched: VoteScheduler
  readonly #verification: VerificationSpec
  readonly #policy?: VerificationPolicy
  /** Tasks in flight by opaque task id (ids carry no shard index, so replicas and canaries look alike). */
  readonly #tasks = new Map<string, TaskRef>()
  /** Shards the requester computed itself: known answers to use as canaries. */
  readonly #canaries = new Map<number, Answer>()
  /** Fails the job fast once exclusions left too few providers to satisfy the policy. */
  readonly #starved = new StarvationWatch(timing.STARVED_MS)
  #wake: () => void = () => {}
  #inputs?: TensorMap
  #info?: KindInfo
  #fatal?: Error
  #detached = false
  /** Files on-chain accusations against outvoted providers (src/requester/dispute-filer.ts). */
  readonly #disputes?: DisputeFiler
  /** Escrow, vouchers and the escrow's close (src/requester/job-payments.ts); absent = unpaid. */
  readonly #payments?: JobPayments
  /** Task failures per shard: the provider's fault or the job's (src/requester/failure-tally.ts). */
  readonly #failures = new FailureTally()
  readonly #ctx: JobContext
  readonly #results: JobResults
  readonly #dispatch: JobDispatch
  readonly #acquisition: JobAcquisition

  constructor(
    private readonly c: JobRunComponents,
    private readonly job: JobRecord,
    /** The job's material when the caller has it loaded already (a job just submitted). */
    private loaded?: JobMaterial,
  ) {
    super()
    this.#verification = VerificationSpecSchema.parse(job.spec.verification ?? {})
    this.#policy = policyFor(this.#verification, c.trust?.prior)
    this.#sched = new VoteScheduler(c.store.shards(job.id), this.#policy, resultEquality(job.spec))
    const shards = this.#sched.shards
    this.progress = {
      jobId: job.id,
      kind: job.spec.kind,
      name: job.spec.name,
      status: job.status,
      samplesTotal: shards.at(-1)?.end ?? 0,
      samplesDone: shards.filter((s) => s.status === 'done').reduce((a, s) => a + s.end - s.start, 0),
      shardsTotal: shards.length,
      shardsDone: this.#sched.doneCount,
      unitsDone: 0,
      costPerSample: shards[0] ? shards[0].units / (shards[0].end - shards[0].start) : 0,
      providers: c.store.providerWork(job.id),
      createdAt: job.createdAt,
      version: 0,
      verification: {
        policy: this.#verification.policy,
        replicaTasks: 0,
        canaryTasks: 0,
        invalid: 0,
        excluded: [],
      },
    }
    this.progress.unitsDone = this.progress.providers.reduce((a, p) => a + p.units, 0)
    this.#payments = c.payments && new JobPayments({ ...c, payments: c.payments }, job.id)
    this.#disputes = disputeFilerFor(c.payments?.ledger, this.#verification, {
      id: job.id,
      log: c.log,
      onChange: () => this.#changed(),
    })
    if (this.#disputes) this.progress.verification!.disputes = this.#disputes.records
    this.#ctx = {
      c,
      job,
      progress: this.progress,
      sched: this.#sched,
      verification: this.#verification,
      policy: this.#policy,
      payments: this.#payments,
      disputes: this.#disputes,
      sessions: this.#sessions,
      banned: this.#banned,
      tasks: this.#tasks,
      canaries: this.#canaries,
      failures: this.#failures,
      info: () => this.#info!,
      inputs: () => this.#inputs!,
      axes: () => this.#axes,
      changed: () => this.#changed(),
      fail: (err) => {
        this.#fatal = err
      },
    }
    this.#results = new JobResults(this.#ctx)
    this.#dispatch = new JobDispatch(this.#ctx, (provider) => this.#results.exclude(provider))
    this.#acquisition = new JobAcquisition(this.#ctx, this.#events)
  }

  /** The job's batch axes (ONNX jobs; absent: every tensor on axis 0). */
  get #axes() {
    return this.job.spec.kind === 'onnx-inference' ? this.job.spec.batchAxes : undefined
  }

  get modelHash(): string {
    return this.job.spec.modelHash
  }

  /** Stop without recording a final status (node shutdown): the job resumes on the next start. */
  detach(): void {
    if (!this.#detached) this.#keepTrust()
    this.#detached = true
  }

  /** Run until done, failed, past the deadline, or aborted. Resolves with the final progress. */
  async run(signal: AbortSignal): Promise<JobProgress> {
    const deadline = this.job.createdAt + this.job.spec.timeoutSeconds * 1000
    const onAbort = () => this.#wake()
    signal.addEventListener('abort', onAbort)
    let acquiring: Promise<void> | undefined
    const acquireAbort = new AbortController()
    const acquireSignal = AbortSignal.any([signal, acquireAbort.signal])
    /** No new providers once the work is done or the job ends; waits for an acquisition in flight. */
    const stopAcquiring = async () => {
      acquireAbort.abort()
      await acquiring
    }
    try {
      const { spec } = this.job
      this.#info = this.loaded?.info ?? kindInfo(spec, await this.c.blobs.get(spec.modelHash))
      this.#inputs = this.loaded?.inputs ?? decodeTensors(await this.c.blobs.get(spec.inputsHash))
      this.loaded = undefined
      await this.#dispatch.prepareCanaries(() => this.c.blobs.get(spec.modelHash))
      const modelBytes = await this.c.blobs.size(spec.modelHash)
      const runStart = Date.now()
      /** Tasks flow once `providers.min` providers have agreed; after that, the job goes on with fewer. */
      let started = false
      let backoff = 250
      let lastAcquire = 0
      let nextAcquireAt = 0
      /** Rounds that hired fewer than wanted: the first few retry soon (a provider still joining the mesh). */
      let shortRounds = 0
      while (!this.#sched.allDone) {
        if (this.#fatal) throw this.#fatal
        // Cancelling is reported at once; the escrow closes right after (finally).
        if (signal.aborted) return this.#finish('cancelled', 'cancelled by the requester')
        if (Date.now() > deadline)
          throw new Error(`job passed its deadline with ${remainingSamples(this.#ctx)} samples left`)
        const live = [...this.#sessions.values()].filter((s) => !s.dead)
        started ||= this.#acquisition.enoughProviders(live.length, runStart)
        const starved = this.#starved.update({
          banned: this.#banned.size,
          excluded: this.progress.verification!.excluded.length,
          policy: this.#verification.policy,
          live: live.length,
          // a provider pausing because it is busy (idle-only owner at work) may still take work
          working: live.filter(
            (s) => s.inFlight.size > 0 || (this.#dispatch.pausedUntil.get(s) ?? 0) > Date.now(),
          ).length,
          remainingShards: this.#sched.shards.length - this.#sched.doneCount,
        })
        if (starved) throw starved
        // as many providers as shards (up to max), and at least as many as one shard's checks need
        const perShard = providersPerShard(this.#verification)
        const want =
          Math.min(this.job.spec.providers.max, Math.max(this.#sched.shards.length, perShard)) - live.length
        const now = Date.now()
        // Providers are acquired beside the dispatch loop (collecting offers takes up to 5 s), so the
        // sessions already open keep getting tasks meanwhile.
        if (
          want > 0 &&
          !acquiring &&
          now >= nextAcquireAt &&
          (live.length < this.job.spec.providers.min ||
            now - lastAcquire >
              (shortRounds <= timing.QUICK_ROUNDS ? timing.QUICK_ROUND_GAP_MS : timing.ROUND_GAP_MS))
        ) {
          acquiring = this.#acquisition
            .acquire(want, deadline, modelBytes, acquireSignal)
            .then((added) => {
              lastAcquire = Date.now()
              if (added < want) shortRounds++
              if (added > 0 || live.length > 0) backoff = 250
              else {
                nextAcquireAt = Date.now() + backoff
                backoff = Math.min(backoff * 2, 5000)
              }
            })
            .catch((err: unknown) => {
              this.#fatal = err as Error
            })
            .finally(() => {
              acquiring = undefined
              this.#wake()
            })
        }
        if (started) this.#dispatch.fill()
        const unverifiable = this.#results.settleStalled(new Set(live.map((x) => x.provider)))
        if (unverifiable) this.#fatal = unverifiable
        await new Promise<void>((resolve) => {
          this.#wake = resolve
          setTimeout(resolve, 1000)
        })
      }
      await stopAcquiring()
      const parts = this.c.store.outputs(this.job.id).map((bytes) => decodeTensors(bytes))
      const resultHash = await this.c.blobs.put(encodeTensors(concatAlong(parts, this.#axes?.outputs)))
      // Final vouchers go out (and the streams close gracefully) before the job is reported done.
      const pay = this.#payments
      if (pay) {
        await this.#drain(timing.DRAIN_MS)
        await Promise.all([...this.#sessions.values()].map((s) => pay.flush(s).catch(() => {})))
        await pay.awaitFinalAcks(this.#sessions.values())
      }
      await Promise.all([...this.#sessions.values()].map((s) => s.close().catch(() => {})))
      await this.#disputes?.settled(timing.DISPUTE_WAIT_MS)
      await this.#wrapUp()
      return this.#finish('done', undefined, resultHash)
    } catch (err) {
      await stopAcquiring()
      await this.#wrapUp()
      return this.#finish('failed', firstLine(err))
    } finally {
      signal.removeEventListener('abort', onAbort)
      await stopAcquiring()
      await this.#wrapUp()
    }
  }

  #wrapped?: Promise<void>
  /**
   * Once, before the job reports its end: final vouchers out, streams closed, providers paid what no
   * voucher reached them with, and the escrow closed with the providers' releases (unspent budget back now).
   */
  #wrapUp(): Promise<void> {
    this.#wrapped ??= (async () => {
      const pay = this.#payments
      if (pay) await Promise.all([...this.#sessions.values()].map((s) => pay.flush(s).catch(() => {})))
      await Promise.all([...this.#sessions.values()].map((s) => s.close().catch(() => {})))
      if (!pay || this.#detached) return
      await pay.payUnreached()
      const s = await pay.closeEscrow()
      if (s?.status === 'open') addNotice(this.progress, 'escrow-open', `escrow left open: ${s.reason}`)
    })()
    return this.#wrapped
  }

  /** Results being checked (hash, signature, vote): paid, when they are, once this settles. */
  readonly #judging = new Set<Promise<void>>()

  /**
   * Before the final vouchers: let the tasks still out come back (up to `ms`) and their results be judged,
   * so that every result a provider delivered and we accepted (late replicas that agree are useful work) is
   * in the last voucher — a provider does not release an escrow while a delivered result is unpaid. What has
   * not come back by then is cancelled.
   */
  async #drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms
    const live = () => [...this.#sessions.values()].filter((s) => !s.dead)
    while ((live().some((s) => s.inFlight.size > 0) || this.#judging.size > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20))
    for (const s of live()) for (const id of [...s.inFlight]) s.cancel(id)
    await Promise.all([...this.#judging])
  }

  readonly #events = {
    onVoucherAck: (session: ProviderSession, msg: Extract<ToRequester, { t: 'voucher-ack' }>) => {
      this.#payments?.acknowledged(session, BigInt(msg.cumulativeUnits))
    },
    onResult: (session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array) => {
      // the results that arrive together are stored, receipted and recorded in one transaction
      this.c.store.batchTurn((err) => this.#ctx.fail(err))
      const judged: Promise<void> = this.#results
        .accept(session, msg, body)
        .catch((err) => {
          this.#fatal = err as Error
        })
        .finally(() => {
          this.#judging.delete(judged)
          this.#wake()
        })
      this.#judging.add(judged)
    },
    onTaskError: (session: ProviderSession, msg: Extract<ToRequester, { t: 'error' }>) => {
      const task = this.#tasks.get(msg.taskId)
      this.#tasks.delete(msg.taskId)
      // Once the job is ending, tasks still out are aborted by our own closing streams: nobody's fault.
      if (this.#wrapped) return
      this.c.log.info(
        { provider: session.provider, task: msg.taskId, code: msg.code, msg: msg.message },
        'task error',
      )
      try {
        if (task && !task.canary) this.#sched.release(task.idx, session.provider, msg.code !== 'busy')
      } catch (err) {
        this.#fatal = err as Error
      }
      // A provider that says "busy" (idle-only owner at work, credit limit) gets no task for a second.
      if (msg.code === 'busy') this.#dispatch.pausedUntil.set(session, Date.now() + 1000)
      else if (task && !task.canary)
        this.#notice(
          'redispatched',
          `shard ${task.idx} failed on ${session.provider} (${msg.code}: ${msg.message.slice(0, 200)}); sent again`,
        )
      // A deterministic failure of the task (bad input, the model failing in the runtime, a sandbox limit)
      // costs the reporting provider nothing; reproduced on two providers it fails the job with the
      // runtime's message (src/requester/failure-tally.ts).
      const live = [...this.#sessions.values()].filter((s) => !s.dead).length
      const verdict = task
        ? this.#failures.report(task.idx, session.provider, msg.code, msg.message, live)
        : { kind: 'provider-fault' as const }
      if (verdict.kind === 'job-fault') this.#fatal = new JobFaultError(jobFaultMessage(verdict, task!.idx))
      if (verdict.kind === 'provider-fault')
        this.c.onFault?.({ provider: session.provider, kind: 'error', detail: msg.message })
      this.#wake()
    },
    onDead: (session: ProviderSession, reason: string) => {
      for (const id of session.inFlight) this.#tasks.delete(id)
      if (this.#wrapped) return
      let released: number[] = []
      try {
        released = this.#sched.releaseAll(session.provider)
      } catch (err) {
        this.#fatal = err as Error
      }
      this.c.log.warn({ provider: session.provider, reason, released: released.length }, 'provider lost')
      if (released.length)
        this.#notice(
          'redispatched',
          `provider ${session.provider} lost (${reason}): ${released.length} shard(s) sent again to the others`,
        )
      this.c.onFault?.({ provider: session.provider, kind: 'gone', detail: reason })
      this.#wake()
    },
  }

  #notice(code: JobNotice['code'], message: string): void {
    if (addNotice(this.progress, code, message)) this.#changed()
  }

  #changed(): void {
    this.progress.version++
    this.emit('progress', this.progress)
  }

  /** Keep what the policy learnt of the providers for the requester's next jobs. */
  #keepTrust(): void {
    const book = this.#policy && adaptiveBook(this.#policy.snapshot())
    if (book) this.c.trust?.save(book)
  }

  #finish(status: JobProgress['status'], error?: string, resultHash?: string): JobProgress {
    if (this.#detached) return this.progress // detach() kept the trust
    this.#keepTrust()
    const { verification, notices } = this.progress
    this.c.store.setStatus(this.job.id, status, error, resultHash, { verification, notices })
    this.progress.status = status
    this.progress.error = error
    this.progress.finishedAt = Date.now()
    this.#changed()
    return this.progress
  }
}
