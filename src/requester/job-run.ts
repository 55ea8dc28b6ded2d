import { EventEmitter } from 'node:events'
import type { Address } from 'viem'
import { inspectModel, type ModelInfo } from '../exec/model-info.js'
import type { TensorMap } from '../exec/tensor.js'
import { concatBatch, decodeTensors, encodeTensors, sliceBatch } from '../exec/tensor-codec.js'
import type { Logger } from '../log.js'
import type { Agreement, Offer } from '../market/messages.js'
import type { Host } from '../net/host.js'
import { verifyPayload } from '../net/signing.js'
import type { RequesterPayments } from '../payments/requester-payments.js'
import { DOMAINS } from '../protocols/ids.js'
import type { ToRequester } from '../protocols/task-messages.js'
import { type BlobStore, sha256Hex } from '../store/blob-store.js'
import type { JobProgress } from './job-spec.js'
import type { JobRecord, JobStore } from './job-store.js'
import { acquireProviders, type MarketClientComponents } from './market-client.js'
import { checkResult } from './output-check.js'
import { ProviderSession } from './provider-session.js'
import { ShardScheduler } from './shard-plan.js'

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
  onAccepted?: (info: {
    agreement: Agreement
    shardIdx: number
    units: number
    inputHash: string
    outputHash: string
    signature: string
  }) => void
  /** Called when a provider misbehaves (malformed output, bad signature) or vanishes. */
  onFault?: (info: { provider: string; kind: 'malformed' | 'gone' | 'error'; detail: string }) => void
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
  readonly #sched: ShardScheduler
  #wake: () => void = () => {}
  #inputs?: TensorMap
  #info?: ModelInfo
  #fatal?: Error
  #detached = false

  constructor(
    private readonly c: JobRunComponents,
    private readonly job: JobRecord,
  ) {
    super()
    this.#sched = new ShardScheduler(c.store.shards(job.id))
    const shards = this.#sched.shards
    this.progress = {
      jobId: job.id,
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
    }
    this.progress.unitsDone = this.progress.providers.reduce((a, p) => a + p.units, 0)
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
    try {
      const model = await this.c.blobs.get(this.job.spec.modelHash)
      this.#info = inspectModel(model)
      this.#inputs = decodeTensors(await this.c.blobs.get(this.job.spec.inputsHash))
      let backoff = 250
      let lastAcquire = 0
      while (!this.#sched.allDone) {
        if (this.#fatal) throw this.#fatal
        if (signal.aborted) return this.#finish('cancelled', 'cancelled by the requester')
        if (Date.now() > deadline)
          throw new Error(`job passed its deadline with ${this.#remaining()} samples left`)
        const live = [...this.#sessions.values()].filter((s) => !s.dead)
        const want = Math.min(this.job.spec.providers.max, this.#sched.shards.length) - live.length
        if (want > 0 && (live.length < this.job.spec.providers.min || Date.now() - lastAcquire > 10_000)) {
          lastAcquire = Date.now()
          const added = await this.#acquire(want, deadline, model.length, signal)
          if (added === 0 && live.length === 0) {
            await sleep(backoff)
            backoff = Math.min(backoff * 2, 5000)
            continue
          }
          backoff = 250
        }
        this.#fill()
        await new Promise<void>((resolve) => {
          this.#wake = resolve
          setTimeout(resolve, 1000)
        })
      }
      const parts = this.c.store.outputs(this.job.id).map((bytes) => decodeTensors(bytes))
      const resultHash = await this.c.blobs.put(encodeTensors(concatBatch(parts)))
      // Final vouchers go out (and the streams close gracefully) before the job is reported done.
      await Promise.all([...this.#sessions.values()].map((s) => this.#flushVoucher(s).catch(() => {})))
      await Promise.all([...this.#sessions.values()].map((s) => s.close().catch(() => {})))
      return this.#finish('done', undefined, resultHash)
    } catch (err) {
      return this.#finish('failed', (err as Error).message.split('\n')[0])
    } finally {
      signal.removeEventListener('abort', onAbort)
      await Promise.all([...this.#sessions.values()].map((s) => this.#flushVoucher(s).catch(() => {})))
      await Promise.all([...this.#sessions.values()].map((s) => s.close().catch(() => {})))
    }
  }

  #remaining(): number {
    return this.progress.samplesTotal - this.progress.samplesDone
  }

  /** Open (once) the job's escrow at the highest chosen price; all providers of the job are paid that price. */
  async #settle(chosen: Offer[], deadline: number) {
    const payments = this.c.payments!
    const price = chosen.reduce((m, o) => (BigInt(o.pricePerUnit) > m ? BigInt(o.pricePerUnit) : m), 0n)
    const units = BigInt(this.progress.samplesTotal) * BigInt(this.#info!.cost)
    const escrow = await payments.ensureEscrow(this.job.id, price, units, deadline)
    return {
      escrow: payments.escrowRef(escrow),
      pricePerUnit: escrow.pricePerUnit,
      requesterEth: payments.ledger.address,
    }
  }

  readonly #voucherTimers = new Map<ProviderSession, NodeJS.Timeout>()

  /** Sign and send a voucher for the session's provider soon (batching the results that arrive meanwhile). */
  #scheduleVoucher(session: ProviderSession): void {
    if (this.#voucherTimers.has(session)) return
    this.#voucherTimers.set(
      session,
      setTimeout(() => {
        this.#voucherTimers.delete(session)
        void this.#flushVoucher(session).catch((err) =>
          this.c.log.warn({ err: (err as Error).message }, 'voucher failed'),
        )
      }, 200),
    )
  }

  async #flushVoucher(session: ProviderSession): Promise<void> {
    clearTimeout(this.#voucherTimers.get(session))
    this.#voucherTimers.delete(session)
    if (!this.c.payments || session.dead) return
    const msg = await this.c.payments.nextVoucher(this.job.id, session.agreement.providerEth as Address)
    if (msg) session.sendVoucher(msg)
  }

  async #acquire(want: number, deadline: number, modelBytes: number, signal: AbortSignal): Promise<number> {
    const exclude = new Set([
      ...this.#banned,
      ...[...this.#sessions.values()].filter((s) => !s.dead).map((s) => s.provider),
    ])
    const agreements = await acquireProviders(
      { ...this.c.market, log: this.c.log },
      {
        jobId: this.job.id,
        modelHash: this.job.spec.modelHash,
        modelBytes,
        costPerSample: this.#info!.cost,
        samples: this.#remaining(),
        maxPricePerUnit: BigInt(this.job.spec.maxPricePerUnit),
        deadline,
        want,
        payment: this.c.payments?.paymentTerms,
        settle: this.c.payments ? (chosen) => this.#settle(chosen, deadline) : undefined,
        exclude,
        signal,
      },
    )
    const opened = await Promise.all(
      agreements.map(async (agreement) => {
        const session = new ProviderSession(this.c.host, agreement, this.#events, this.c.maxResultBytes)
        try {
          await session.open()
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
    return added
  }

  /** Keep every live session's pipeline full (two tasks per slot). */
  #fill(): void {
    for (const session of this.#sessions.values()) {
      if (session.dead) continue
      while (session.inFlight.size < session.slots * 2) {
        const shard = this.#sched.take(session.provider)
        if (!shard) return
        const inputs = encodeTensors(sliceBatch(this.#inputs!, shard.start, shard.end))
        session.send({
          taskId: `${this.job.id}.${shard.idx}.${shard.attempts}`,
          samples: shard.end - shard.start,
          units: shard.units,
          inputHash: sha256Hex(inputs),
          deadline: this.job.createdAt + this.job.spec.timeoutSeconds * 1000,
          body: inputs,
        })
      }
    }
  }

  readonly #events = {
    onResult: (session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array) => {
      void this.#accept(session, msg, body).finally(() => this.#wake())
    },
    onTaskError: (session: ProviderSession, msg: Extract<ToRequester, { t: 'error' }>) => {
      const idx = shardOf(msg.taskId)
      this.c.log.info(
        { provider: session.provider, task: msg.taskId, code: msg.code, msg: msg.message },
        'task error',
      )
      try {
        if (msg.code === 'busy') this.#sched.refuse(idx, session.provider)
        else this.#sched.release(idx, session.provider)
      } catch (err) {
        this.#fatal = err as Error
      }
      if (msg.code === 'invalid-input') this.#fatal = new Error(`provider rejected the input: ${msg.message}`)
      if (msg.code !== 'busy')
        this.c.onFault?.({ provider: session.provider, kind: 'error', detail: msg.message })
      this.#wake()
    },
    onDead: (session: ProviderSession, reason: string) => {
      const released = this.#sched.releaseAll(session.provider)
      this.c.log.warn({ provider: session.provider, reason, released: released.length }, 'provider lost')
      this.c.onFault?.({ provider: session.provider, kind: 'gone', detail: reason })
      this.#wake()
    },
  }

  async #accept(session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array) {
    const idx = shardOf(msg.taskId)
    const shard = this.#sched.shards[idx]
    try {
      if (!shard || sha256Hex(body) !== msg.outputHash) throw new Error('output does not match its hash')
      await verifyPayload(
        session.provider,
        DOMAINS.result,
        { taskId: msg.taskId, inputHash: msg.inputHash, outputHash: msg.outputHash },
        msg.signature,
      )
      checkResult(body, this.#info!.outputs, shard.end - shard.start, this.c.maxResultBytes)
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
    if (!this.#sched.complete(idx, session.provider)) return
    this.c.store.saveResult(this.job.id, idx, session.provider, body, msg.outputHash)
    if (this.c.payments) {
      this.c.payments.recordAccepted(this.job.id, session.agreement.providerEth as Address, {
        taskId: msg.taskId,
        units: shard.units,
        inputHash: msg.inputHash,
        outputHash: msg.outputHash,
      })
      this.#scheduleVoucher(session)
    }
    const p = this.progress
    p.firstResultAt ??= Date.now()
    p.shardsDone++
    p.samplesDone += shard.end - shard.start
    p.unitsDone += shard.units
    const work = p.providers.find((w) => w.provider === session.provider)
    if (work) {
      work.shards++
      work.samples += shard.end - shard.start
      work.units += shard.units
    } else
      p.providers.push({
        provider: session.provider,
        shards: 1,
        samples: shard.end - shard.start,
        units: shard.units,
      })
    this.#changed()
    this.c.onAccepted?.({
      agreement: session.agreement,
      shardIdx: idx,
      units: shard.units,
      inputHash: msg.inputHash,
      outputHash: msg.outputHash,
      signature: msg.signature,
    })
  }

  #changed(): void {
    this.progress.version++
    this.emit('progress', this.progress)
  }

  #finish(status: JobProgress['status'], error?: string, resultHash?: string): JobProgress {
    if (this.#detached) return this.progress
    this.c.store.setStatus(this.job.id, status, error, resultHash)
    this.progress.status = status
    this.progress.error = error
    this.progress.finishedAt = Date.now()
    this.#changed()
    return this.progress
  }
}

const shardOf = (taskId: string) => Number(taskId.split('.')[1])
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
