import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { peerIdFromString } from '@libp2p/peer-id'
import { allOnAxisZero, concatAlong, sliceAlong } from '../exec/batch-axes.js'
import type { TensorMap } from '../exec/tensor.js'
import { decodeTensors, encodeTensorParts, encodeTensors } from '../exec/tensor-codec.js'
import type { Logger } from '../log.js'
import type { Agreement, Decline } from '../market/messages.js'
import { onlyRelayed } from '../net/connections.js'
import type { Host } from '../net/host.js'
import { verifyPayload } from '../net/signing.js'
import type { RequesterPayments } from '../payments/requester-payments.js'
import type { RequesterSettlement } from '../payments/requester-settlement.js'
import { DOMAINS } from '../protocols/ids.js'
import type { ToRequester } from '../protocols/task-messages.js'
import { type BlobStore, sha256Hex } from '../store/blob-store.js'
import { ProviderExcludedError, type VerificationPolicy } from '../verify/index.js'
import { summarizeDeclines } from './decline-summary.js'
import { type DisputeFiler, disputeFilerFor } from './dispute-filer.js'
import { claimedEvidence } from './evidence-check.js'
import { FailureTally, jobFaultMessage } from './failure-tally.js'
import {
  JobFaultError,
  NoOffersError,
  NotEnoughProvidersError,
  VerificationUnavailableError,
} from './job-errors.js'
import { type KindInfo, kindInfo, runJobLocally } from './job-kind.js'
import { addNotice, STALL_MS, stallDecision } from './job-notices.js'
import { JobPayments } from './job-payments.js'
import {
  type JobProgress,
  type ShardVerification,
  type VerificationSpec,
  VerificationSpecSchema,
} from './job-spec.js'
import type { JobRecord, JobStore } from './job-store.js'
import { acquireProviders, type MarketClientComponents } from './market-client.js'
import { checkResult } from './output-check.js'
import { ProviderSession } from './provider-session.js'
import { providerWait } from './provider-wait.js'
import { StarvationWatch } from './starvation-watch.js'
import { budgetFactor, policyFor, providersPerShard, resultEquality } from './verification.js'
import { type Answer, VoteScheduler } from './vote-scheduler.js'

/** Components a job run needs. */
export interface JobRunComponents {
  host: Host
  store: JobStore
  blobs: BlobStore
  market: Omit<MarketClientComponents, 'log'>
  log: Logger
  /** Largest result of one task accepted from a provider. */
  maxResultBytes: number
  /** Called for each accepted result (ledger vouchers, reputation). */
  /** Escrow and vouchers; absent = unpaid (only for tests of the market alone). */
  payments?: RequesterPayments
  /** Payees and early closing of the job's escrow; absent = the escrow waits for reclaim. */
  settlement?: RequesterSettlement
  onAccepted?: (info: {
    agreement: Agreement
    shardIdx: number
    units: number
    inputHash: string
    outputHash: string
    signature: string
  }) => void
  /** Called when a provider misbehaves (malformed output, bad signature) or vanishes. */
  onFault?: (info: {
    provider: string
    kind: 'malformed' | 'gone' | 'error' | 'outvoted'
    detail: string
  }) => void
}

/**
 * Runs one inference job to completion: finds providers on the market, streams shards to them, checks
 * and stores results, reassigns the shards of providers that fail or vanish, and assembles the outputs
 * in input order. Emits `progress` (JobProgress) on every change.
 */
export class JobRun extends EventEmitter {
  readonly progress: JobProgress
  readonly #sessions = new Map<string, ProviderSession>()
  readonly #banned = new Set<string>()
  readonly #sched: VoteScheduler
  readonly #verification: VerificationSpec
  readonly #policy?: VerificationPolicy
  /** Tasks in flight by opaque task id (ids carry no shard index, so replicas and canaries look alike). */
  readonly #tasks = new Map<string, { idx: number; canary: boolean; inputHash: string }>()
  /** sha256 of each shard's encoded inputs, computed once (replicas, retries and canaries resend them). */
  readonly #inputHashes = new Map<number, string>()
  /** Shards the requester computed itself: known answers to use as canaries. */
  readonly #canaries = new Map<number, Answer>()
  #stallSince?: number
  /** Fails the job fast once exclusions left too few providers to satisfy the policy. */
  readonly #starved = new StarvationWatch(STARVED_MS)
  #wake: () => void = () => {}
  #inputs?: TensorMap
  #info?: KindInfo
  #fatal?: Error
  #detached = false
  /** Files on-chain accusations against outvoted providers (src/requester/dispute-filer.ts). */
  readonly #disputes?: DisputeFiler
  /** Escrow, vouchers and the escrow's close (src/requester/job-payments.ts); absent = unpaid. */
  readonly #payments?: JobPayments

  constructor(
    private readonly c: JobRunComponents,
    private readonly job: JobRecord,
  ) {
    super()
    this.#verification = VerificationSpecSchema.parse(job.spec.verification ?? {})
    this.#policy = policyFor(this.#verification)
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
      const model = await this.c.blobs.get(this.job.spec.modelHash)
      this.#info = kindInfo(this.job.spec, model)
      this.#inputs = decodeTensors(await this.c.blobs.get(this.job.spec.inputsHash))
      await this.#prepareCanaries(model)
      const runStart = Date.now()
      /** Tasks flow once `providers.min` providers have agreed; after that, the job goes on with fewer. */
      let started = false
      let backoff = 250
      let lastAcquire = 0
      let nextAcquireAt = 0
      while (!this.#sched.allDone) {
        if (this.#fatal) throw this.#fatal
        // Cancelling is reported at once; the escrow closes right after (finally).
        if (signal.aborted) return this.#finish('cancelled', 'cancelled by the requester')
        if (Date.now() > deadline)
          throw new Error(`job passed its deadline with ${this.#remaining()} samples left`)
        const live = [...this.#sessions.values()].filter((s) => !s.dead)
        started ||= this.#enoughProviders(live.length, runStart)
        const starved = this.#starved.update({
          banned: this.#banned.size,
          excluded: this.progress.verification!.excluded.length,
          policy: this.#verification.policy,
          live: live.length,
          // a provider pausing because it is busy (idle-only owner at work) may still take work
          working: live.filter((s) => s.inFlight.size > 0 || (this.#pausedUntil.get(s) ?? 0) > Date.now())
            .length,
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
          (live.length < this.job.spec.providers.min || now - lastAcquire > 10_000)
        ) {
          lastAcquire = now
          acquiring = this.#acquire(want, deadline, model.length, acquireSignal)
            .then((added) => {
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
        if (started) this.#fill()
        this.#settleStalled(new Set(live.map((x) => x.provider)))
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
        await Promise.all([...this.#sessions.values()].map((s) => pay.flush(s).catch(() => {})))
        await pay.awaitFinalAcks(this.#sessions.values())
      }
      await Promise.all([...this.#sessions.values()].map((s) => s.close().catch(() => {})))
      await this.#disputes?.settled(DISPUTE_WAIT_MS)
      await this.#wrapUp()
      return this.#finish('done', undefined, resultHash)
    } catch (err) {
      await stopAcquiring()
      await this.#wrapUp()
      return this.#finish('failed', (err as Error).message.split('\n')[0])
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

  #remaining(): number {
    return this.progress.samplesTotal - this.progress.samplesDone
  }

  /** Escrow units: every sample at the model's cost, times the verification policy's budget factor. */
  #budgetUnits(): bigint {
    return (
      BigInt(this.progress.samplesTotal) * BigInt(this.#info!.cost) * BigInt(budgetFactor(this.#verification))
    )
  }

  async #acquire(want: number, deadline: number, modelBytes: number, signal: AbortSignal): Promise<number> {
    const exclude = new Set([
      ...this.#banned,
      ...[...this.#sessions.values()].filter((s) => !s.dead).map((s) => s.provider),
    ])
    const { agreements, declines } = await acquireProviders(
      { ...this.c.market, log: this.c.log },
      {
        jobId: this.job.id,
        kind: this.job.spec.kind,
        minMemoryBytes: this.job.spec.kind === 'wasm' ? this.job.spec.limits.memoryBytes : undefined,
        modelHash: this.job.spec.modelHash,
        inputAxes: allOnAxisZero(this.#axes?.inputs) ? undefined : this.#axes?.inputs,
        modelBytes,
        costPerSample: this.#info!.cost,
        samples: this.#remaining(),
        maxPricePerUnit: BigInt(this.job.spec.maxPricePerUnit),
        deadline,
        want,
        payment: this.c.payments?.paymentTerms,
        settle: this.#payments
          ? (chosen) => this.#payments!.settle(chosen, this.#budgetUnits(), deadline)
          : undefined,
        disputes: this.#disputes?.termsFor,
        exclude,
        signal,
      },
    )
    // Each provider must be a payee of the escrow before its first task (it checks on-chain), and the
    // releases that close the escrow at the end come from exactly these payees.
    await this.#payments?.addPayees(agreements)
    const opened = await Promise.all(
      agreements.map(async (agreement) => {
        const session = new ProviderSession(this.c.host, agreement, this.#events, this.c.maxResultBytes)
        try {
          await session.open()
          if (onlyRelayed(this.c.host.getConnections(peerIdFromString(agreement.provider)))) {
            const message = `provider ${agreement.provider} is reached only through a relay (no direct path between the two NATs): slower, and within the relay's limits`
            if (addNotice(this.progress, 'relayed', message)) this.#changed()
          }
          this.c.store.saveAgreement(this.job.id, 'requester', agreement.provider, agreement)
          this.#sessions.set(agreement.agreementId, session)
          return 1
        } catch (err) {
          this.c.log.info(
            { provider: agreement.provider, err: (err as Error).message },
            'session open failed',
          )
          return 0
        }
      }),
    )
    const added = opened.reduce<number>((a, b) => a + b, 0)
    if (added) this.c.log.info({ job: this.job.id, added }, 'providers joined')
    if (agreements.length === 0 && declines.length > 0) this.#declined(declines)
    return added
  }

  /**
   * Whether `providers.min` providers (or one per shard, when fewer shards) work on the job; past the wait
   * (`providers.waitSeconds`, default 60 s) without them the job fails naming what it heard.
   */
  #enoughProviders(live: number, since: number): boolean {
    const { min, waitSeconds } = this.job.spec.providers
    const w = providerWait({
      live,
      min,
      shards: this.#sched.shards.length,
      since,
      now: Date.now(),
      waitSeconds,
      heard: this.progress.notices?.findLast((n) => n.code === 'no-offers')?.message,
    })
    if (w.kind === 'fail') throw new NotEnoughProvidersError(w.message)
    if (w.kind === 'wait' && w.notice && addNotice(this.progress, 'waiting-providers', w.notice))
      this.#changed()
    return w.kind === 'enough'
  }

  /**
   * Nobody offered and some providers said why: tell the user, and fail at once when every reason lasts
   * (price, kind, size, memory, chain) and nothing runs yet — unless the job was told to wait
   * (`providers.waitSeconds`), in which case it keeps the notice and waits.
   */
  #declined(declines: Decline[]): void {
    const summary = summarizeDeclines(declines, BigInt(this.job.spec.maxPricePerUnit))
    if (addNotice(this.progress, 'no-offers', `no offers: ${summary.message}`)) this.#changed()
    const working = [...this.#sessions.values()].some((s) => !s.dead)
    if (summary.lasting && !working && this.job.spec.providers.waitSeconds === undefined)
      this.#fatal = new NoOffersError(`no provider offered: ${summary.message}`)
  }

  /**
   * Keep every live session's pipeline full, replicas first, canaries mixed in: two tasks per slot and at
   * least two queued behind the running ones, so that a worker finishing a shard finds the next one already
   * there while the one after it is still on the wire.
   */
  #fill(): void {
    const now = Date.now()
    for (const session of this.#sessions.values()) {
      if ((this.#pausedUntil.get(session) ?? 0) > now) continue
      const depth = Math.max(session.slots * 2, session.slots + 2)
      while (!session.dead && session.inFlight.size < depth) {
        let taken: ReturnType<VoteScheduler['take']>
        try {
          taken = this.#sched.take(session.provider)
        } catch (err) {
          if (!(err instanceof ProviderExcludedError)) throw err
          this.#exclude(session.provider)
          break
        }
        if (!taken) break
        if (taken.replica) this.progress.verification!.replicaTasks++
        this.#send(session, taken.shard.idx, false)
        if (taken.plan.canary && this.#canaries.size > 0) {
          const pool = [...this.#canaries.keys()]
          this.progress.verification!.canaryTasks++
          this.#send(session, pool[Math.floor(Math.random() * pool.length)], true)
        }
      }
    }
  }

  #send(session: ProviderSession, idx: number, canary: boolean): void {
    const shard = this.#sched.shards[idx]
    // parts: the slice's rows go straight from the job's inputs into the frame (one copy, one hash pass)
    const inputs = encodeTensorParts(sliceAlong(this.#inputs!, shard.start, shard.end, this.#axes?.inputs))
    const taskId = `${this.job.id}.${randomBytes(8).toString('hex')}`
    let inputHash = this.#inputHashes.get(idx)
    if (!inputHash) {
      inputHash = sha256Hex(inputs)
      this.#inputHashes.set(idx, inputHash)
    }
    this.#tasks.set(taskId, { idx, canary, inputHash })
    session.send({
      taskId,
      samples: shard.end - shard.start,
      units: shard.units,
      inputHash,
      deadline: this.job.createdAt + this.job.spec.timeoutSeconds * 1000,
      body: inputs,
    })
  }

  /**
   * Compute a few shards here (known answers) when the policy uses canaries. They count as done shards of
   * the job and are re-sent as canaries: same inputs distribution, same message shape, opaque task ids.
   */
  async #prepareCanaries(model: Uint8Array): Promise<void> {
    const v = this.#verification
    if (!(v.policy === 'spot' || v.policy === 'adaptive+spot' || v.canaryRate)) return
    const pending = this.#sched.shards.filter((s) => s.status !== 'done')
    const me = this.c.host.peerId.toString()
    for (let i = 0; i < Math.min(CANARY_SHARDS, pending.length - 1); i++) {
      const shard = pending[Math.floor((i + 0.5) * (pending.length / CANARY_SHARDS)) % pending.length]
      if (this.#canaries.has(shard.idx)) continue
      const slice = sliceAlong(this.#inputs!, shard.start, shard.end, this.#axes?.inputs)
      const out = encodeTensors(await runJobLocally(this.job.spec, model, slice, this.c.maxResultBytes))
      const hash = sha256Hex(out)
      this.#canaries.set(shard.idx, { provider: me, taskId: 'local', hash, body: out })
      this.c.store.saveResult(this.job.id, shard.idx, me, out, hash)
      this.#sched.markLocal(shard.idx)
      this.#shardCounts.local++
      this.progress.shardsDone++
      this.progress.samplesDone += shard.end - shard.start
    }
  }

  /**
   * Shards that wait for a second opinion no provider can give: after a bounded wait the job fails, naming
   * them, unless its spec opted into `fallback: 'unchecked'` — then they are accepted, counted and reported.
   */
  #settleStalled(liveProviders: ReadonlySet<string>): void {
    const live = liveProviders.size
    const stalled = this.#sched.stalled(liveProviders)
    if (stalled.length === 0 || this.#verification.policy === 'replicate') {
      this.#stallSince = undefined
      return
    }
    this.#stallSince ??= Date.now()
    const single = this.job.spec.providers.max < 2 || live < 2
    const fallback = this.#verification.fallback
    const decision = stallDecision({ since: this.#stallSince, now: Date.now(), fallback, single })
    if (decision === 'wait') return
    const why = `no second provider could check ${stalled.length} shard(s) within ${STALL_MS / 1000} s (${live} provider(s) working, providers.max ${this.job.spec.providers.max})`
    if (decision === 'fail') {
      this.#fatal = new VerificationUnavailableError(
        `verification '${this.#verification.policy}' could not be done: ${why}; add providers, or accept unchecked results with "verification": { "fallback": "unchecked" }`,
      )
      return
    }
    this.c.log.warn({ job: this.job.id, shards: stalled.length }, 'no second provider: accepting unchecked')
    addNotice(this.progress, 'unchecked', `accepted unchecked (fallback: unchecked): ${why}`)
    for (const idx of stalled) {
      const a = this.#sched.settleUnchecked(idx)
      if (!a) continue
      this.#policy?.record({ provider: a.provider, task: a.taskId, verdict: 'unchecked' })
      this.#shardCounts.unchecked++
      this.#store(idx, a)
      this.#pay(idx, a)
    }
    this.#stallSince = undefined
    this.#changed()
  }

  /** How each accepted shard was verified (progress.verification.shards). */
  get #shardCounts(): ShardVerification {
    const v = this.progress.verification!
    v.shards ??= { checked: 0, single: 0, unchecked: 0, local: 0 }
    return v.shards
  }

  readonly #pausedUntil = new WeakMap<ProviderSession, number>()
  /** Task failures per shard: the provider's fault or the job's (src/requester/failure-tally.ts). */
  readonly #failures = new FailureTally()

  readonly #events = {
    onVoucherAck: (session: ProviderSession, msg: Extract<ToRequester, { t: 'voucher-ack' }>) => {
      this.#payments?.acknowledged(session, BigInt(msg.cumulativeUnits))
    },
    onResult: (session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array) => {
      void this.#accept(session, msg, body)
        .catch((err) => {
          this.#fatal = err as Error
        })
        .finally(() => this.#wake())
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
      if (msg.code === 'busy') this.#pausedUntil.set(session, Date.now() + 1000)
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
      this.c.onFault?.({ provider: session.provider, kind: 'gone', detail: reason })
      this.#wake()
    },
  }

  async #accept(session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array) {
    const task = this.#tasks.get(msg.taskId)
    this.#tasks.delete(msg.taskId)
    const shard = task && this.#sched.shards[task.idx]
    let evidence: Answer['evidence']
    try {
      if (!shard || sha256Hex(body) !== msg.outputHash) throw new Error('output does not match its hash')
      if (msg.inputHash !== task.inputHash) throw new Error('result is for another input than the task')
      await verifyPayload(
        session.provider,
        DOMAINS.result,
        { taskId: msg.taskId, inputHash: msg.inputHash, outputHash: msg.outputHash },
        msg.signature,
      )
      checkResult(
        body,
        this.#info!.outputs,
        shard.end - shard.start,
        this.c.maxResultBytes,
        this.#axes?.outputs,
      )
      evidence = claimedEvidence(session.agreement, msg)
    } catch (err) {
      this.c.log.warn(
        { provider: session.provider, task: msg.taskId, err: (err as Error).message },
        'malformed result',
      )
      this.#banned.add(session.provider)
      this.c.onFault?.({ provider: session.provider, kind: 'malformed', detail: (err as Error).message })
      session.kill('returned malformed output')
      return
    }
    const answer: Answer = {
      provider: session.provider,
      taskId: msg.taskId,
      hash: msg.outputHash,
      body,
      evidence,
    }
    const info = { session, inputHash: msg.inputHash, signature: msg.signature }
    this.#answers.set(msg.taskId, info)
    if (task.canary) return this.#judgeCanary(task.idx, answer)
    const r = this.#sched.answer(task.idx, answer)
    if (r.status === 'late') {
      if (r.agrees) this.#pay(task.idx, answer)
      return
    }
    if (r.status === 'no-quorum') {
      this.c.log.warn({ job: this.job.id, shard: task.idx, answers: r.answers.length }, 'no quorum; retrying')
      return
    }
    if (r.status === 'pending') return
    const checked = r.agreeing.length > 1
    if (checked) this.#shardCounts.checked++
    else this.#shardCounts.single++
    this.#store(task.idx, r.winner)
    for (const a of r.agreeing) {
      this.#policy?.record({ provider: a.provider, task: a.taskId, verdict: checked ? 'valid' : 'unchecked' })
      this.#pay(task.idx, a)
    }
    for (const a of r.outvoted) this.#invalid(a, `outvoted on shard ${task.idx}`)
    this.#disputes?.decided(task.idx, task.inputHash, r.agreeing, r.outvoted)
    this.#changed()
  }

  /** Signed answers kept for evidence (disputes) and payment, by task id. */
  readonly #answers = new Map<string, { session: ProviderSession; inputHash: string; signature: string }>()

  #judgeCanary(idx: number, answer: Answer): void {
    const known = this.#canaries.get(idx)!
    const ok = resultEquality(this.job.spec)(known, answer)
    this.#policy?.record({
      provider: answer.provider,
      task: answer.taskId,
      verdict: ok ? 'valid' : 'invalid',
      canary: true,
    })
    if (ok) this.#pay(idx, answer)
    else this.#invalid(answer, `failed a canary (shard ${idx})`)
    this.#changed()
  }

  #invalid(a: Answer, why: string): void {
    this.progress.verification!.invalid++
    this.#policy?.record({ provider: a.provider, task: a.taskId, verdict: 'invalid' })
    this.c.log.warn({ job: this.job.id, provider: a.provider, task: a.taskId }, `invalid result: ${why}`)
    this.c.onFault?.({ provider: a.provider, kind: 'outvoted', detail: why })
    if (this.#policy?.isExcluded(a.provider)) this.#exclude(a.provider)
  }

  #exclude(provider: string): void {
    if (this.#banned.has(provider)) return
    this.#banned.add(provider)
    this.progress.verification!.excluded.push(provider)
    this.c.log.warn({ job: this.job.id, provider }, 'provider excluded by the verification policy')
    for (const s of this.#sessions.values()) if (s.provider === provider) s.kill('excluded by verification')
  }

  /** Store a shard's accepted output once and credit its samples to the provider whose bytes are kept. */
  #store(idx: number, winner: Answer): void {
    const shard = this.#sched.shards[idx]
    this.c.store.saveResult(this.job.id, idx, winner.provider, winner.body, winner.hash)
    const p = this.progress
    p.firstResultAt ??= Date.now()
    p.shardsDone++
    p.samplesDone += shard.end - shard.start
    const work = this.#work(winner.provider)
    work.shards++
    work.samples += shard.end - shard.start
    // Providers that said this shard could not run were wrong after all: they answer for it now.
    for (const provider of this.#failures.completed(idx))
      if (provider !== winner.provider)
        this.c.onFault?.({ provider, kind: 'error', detail: `claimed shard ${idx} could not run; it did` })
  }

  /** Pay `a`'s provider for one accepted task (every agreeing replica and passed canary is useful work). */
  #pay(idx: number, a: Answer): void {
    const info = this.#answers.get(a.taskId)
    this.#answers.delete(a.taskId)
    if (!info) return
    const { session } = info
    const shard = this.#sched.shards[idx]
    this.progress.unitsDone += shard.units
    this.#work(a.provider).units += shard.units
    this.#payments?.accepted(session, {
      taskId: a.taskId,
      units: shard.units,
      inputHash: info.inputHash,
      outputHash: a.hash,
    })
    this.c.onAccepted?.({
      agreement: session.agreement,
      shardIdx: idx,
      units: shard.units,
      inputHash: info.inputHash,
      outputHash: a.hash,
      signature: info.signature,
    })
  }

  #work(provider: string) {
    const p = this.progress
    let work = p.providers.find((w) => w.provider === provider)
    if (!work) {
      work = { provider, shards: 0, samples: 0, units: 0 }
      p.providers.push(work)
    }
    return work
  }

  #changed(): void {
    this.progress.version++
    this.emit('progress', this.progress)
  }

  #finish(status: JobProgress['status'], error?: string, resultHash?: string): JobProgress {
    if (this.#detached) return this.progress
    const { verification, notices } = this.progress
    this.c.store.setStatus(this.job.id, status, error, resultHash, { verification, notices })
    this.progress.status = status
    this.progress.error = error
    this.progress.finishedAt = Date.now()
    this.#changed()
    return this.progress
  }
}

/** Shards the requester computes itself as canaries when the policy uses them. */
const CANARY_SHARDS = 3
/** How long a finished job waits for accusations still being filed before it reports `done`. */
const DISPUTE_WAIT_MS = 15_000
/** How long a job with excluded providers may sit with no provider able to work before it fails. */
const STARVED_MS = 30_000
