import { peerIdFromString } from '@libp2p/peer-id'
import { allOnAxisZero } from '../exec/batch-axes.js'
import { onlyRelayed } from '../net/connections.js'
import type { Decline } from '../protocols/market-messages.js'
import { summarizeDeclines } from './decline-summary.js'
import type { JobContext } from './job-context.js'
import { NoOffersError, NotEnoughProvidersError } from './job-errors.js'
import { addNotice } from './job-notices.js'
import { acquireProviders } from './market-client.js'
import { ProviderSession, type SessionEvents } from './provider-session.js'
import { providerWait } from './provider-wait.js'
import { budgetFactor } from './verification.js'

/** Samples of the job not done yet. */
export const remainingSamples = (x: JobContext): number => x.progress.samplesTotal - x.progress.samplesDone

/**
 * Hires providers for one job: asks the market for offers, agrees with the chosen ones (the escrow opened
 * at the clearing price, each provider named payee), opens their task streams, and tells the user why
 * nobody offered or why the job waits.
 */
export class JobAcquisition {
  constructor(
    private readonly x: JobContext,
    private readonly events: SessionEvents,
  ) {}

  /** Escrow units: every sample at the model's cost, times the verification policy's budget factor. */
  #budgetUnits(): bigint {
    const { x } = this
    return BigInt(x.progress.samplesTotal) * BigInt(x.info().cost) * BigInt(budgetFactor(x.verification))
  }

  /** Hire up to `want` more providers; resolves with how many joined. */
  async acquire(want: number, deadline: number, modelBytes: number, signal: AbortSignal): Promise<number> {
    const { x } = this
    const { c, job } = x
    const exclude = new Set([
      ...x.banned,
      ...[...x.sessions.values()].filter((s) => !s.dead).map((s) => s.provider),
    ])
    const axes = x.axes()
    const { agreements, declines } = await acquireProviders(
      { ...c.market, log: c.log },
      {
        jobId: job.id,
        kind: job.spec.kind,
        minMemoryBytes: job.spec.kind === 'wasm' ? job.spec.limits.memoryBytes : undefined,
        executionProvider: job.spec.providers.executionProvider,
        preferExecutionProvider: job.spec.providers.prefer?.executionProvider,
        modelHash: job.spec.modelHash,
        inputAxes: allOnAxisZero(axes?.inputs) ? undefined : axes?.inputs,
        modelBytes,
        costPerSample: x.info().cost,
        samples: remainingSamples(x),
        maxPricePerUnit: BigInt(job.spec.maxPricePerUnit),
        deadline,
        want,
        payment: c.payments?.paymentTerms,
        settle: x.payments
          ? (chosen) => x.payments!.settle(chosen, this.#budgetUnits(), deadline)
          : undefined,
        disputes: x.disputes?.termsFor,
        exclude,
        signal,
      },
    )
    // Each provider must be a payee of the escrow before its first task (it checks on-chain), and the
    // releases that close the escrow at the end come from exactly these payees.
    await x.payments?.addPayees(agreements)
    const opened = await Promise.all(
      agreements.map(async (agreement) => {
        const session = new ProviderSession(c.host, agreement, this.events, c.maxResultBytes)
        try {
          await session.open()
          if (onlyRelayed(c.host.getConnections(peerIdFromString(agreement.provider)))) {
            const message = `provider ${agreement.provider} is reached only through a relay (no direct path between the two NATs): slower, and within the relay's limits`
            if (addNotice(x.progress, 'relayed', message)) x.changed()
          }
          c.store.saveAgreement(job.id, 'requester', agreement.provider, agreement)
          x.sessions.set(agreement.agreementId, session)
          return 1
        } catch (err) {
          c.log.info({ provider: agreement.provider, err: (err as Error).message }, 'session open failed')
          return 0
        }
      }),
    )
    const added = opened.reduce<number>((a, b) => a + b, 0)
    if (added) c.log.info({ job: job.id, added }, 'providers joined')
    if (agreements.length === 0 && declines.length > 0) this.#declined(declines)
    return added
  }

  /**
   * Whether `providers.min` providers (or one per shard, when fewer shards) work on the job; past the wait
   * (`providers.waitSeconds`, default 60 s) without them the job fails naming what it heard.
   */
  enoughProviders(live: number, since: number): boolean {
    const { x } = this
    const { min, waitSeconds } = x.job.spec.providers
    const w = providerWait({
      live,
      min,
      shards: x.sched.shards.length,
      since,
      now: Date.now(),
      waitSeconds,
      heard: x.progress.notices?.findLast((n) => n.code === 'no-offers')?.message,
      elsewhere: x.c.host.services.neighbours.explain(),
    })
    if (w.kind === 'fail') throw new NotEnoughProvidersError(w.message)
    if (w.kind === 'wait' && w.notice && addNotice(x.progress, 'waiting-providers', w.notice)) x.changed()
    return w.kind === 'enough'
  }

  /**
   * Nobody offered and some providers said why: tell the user, and fail at once when every reason lasts
   * (price, kind, size, memory, chain) and nothing runs yet — unless the job was told to wait
   * (`providers.waitSeconds`), in which case it keeps the notice and waits.
   */
  #declined(declines: Decline[]): void {
    const { x } = this
    const summary = summarizeDeclines(declines, BigInt(x.job.spec.maxPricePerUnit))
    if (addNotice(x.progress, 'no-offers', `no offers: ${summary.message}`)) x.changed()
    const working = [...x.sessions.values()].some((s) => !s.dead)
    if (summary.lasting && !working && x.job.spec.providers.waitSeconds === undefined)
      x.fail(new NoOffersError(`no provider offered: ${summary.message}`))
  }
}
