import type { TaskExecutor } from '../exec/task-executor.js'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import { PaymentRefusedError, type ProviderPayments } from '../payments/provider-payments.js'
import type { ProviderSettlement } from '../payments/provider-settlement.js'
import type { Capacity } from '../protocols/capacity-messages.js'
import type { Agreement } from '../protocols/market-messages.js'
import type { BlobStore } from '../store/blob-store.js'
import { serveAgreements } from './agreement-handler.js'
import { AgreementBook } from './agreements.js'
import { startCapacityAdvert } from './capacity-advert.js'
import { CurrentWork } from './current-work.js'
import type { EvidenceSigner } from './evidence-signer.js'
import { DemandLog } from './explain.js'
import { startOfferResponder } from './offer-responder.js'
import { serveReleases } from './release-server.js'
import { type StreamServerStats, serveStreams } from './stream-server.js'
import { serveTasks, type TaskServerStats } from './task-server.js'
import type { ProviderTerms, WorkGate } from './types.js'

/** Components of the provider agent. */
export interface ProviderAgentComponents {
  host: Host
  identity: Identity
  terms: ProviderTerms
  gate: WorkGate
  executor: TaskExecutor
  blobs: BlobStore
  hardware: Capacity['hardware']
  log: Logger
  /** Escrow checks, receipts, vouchers and redemption; absent = unpaid work. */
  payments?: ProviderPayments
  /** Payee checks and releases of escrow jobs (early settlement); present with `payments`. */
  settlement?: ProviderSettlement
  onTaskDone?: (info: { agreementId: string; taskId: string; units: number }) => void
  /** Dispute evidence (EIP-712 result signatures) for agreements that ask for it. */
  evidence?: EvidenceSigner
  /** Serve streaming sessions (paid at a price above 0); off by default. */
  streams?: boolean
}

/** A running provider agent. */
export interface ProviderAgent {
  stats: TaskServerStats
  /** Streaming sessions (`/mutirao/stream/1`), when served. */
  streams?: StreamServerStats
  book: AgreementBook
  /** Demands seen recently and what was done with each (`mutirao provider explain`). */
  demands: DemandLog
  /** What it computes for whom: open task streams and the recently closed. */
  work: CurrentWork
  stop(): Promise<void>
}

/**
 * Start the provider role: answer demands with offers, countersign agreements, serve task streams (and
 * streaming sessions when the owner chose to),
 * advertise capacity. Every decision honours the owner's terms and the work gate (idle-only mode).
 */
export async function startProviderAgent(c: ProviderAgentComponents): Promise<ProviderAgent> {
  const book = new AgreementBook()
  const payments = c.payments
  const vet = async (a: Agreement) => {
    c.evidence?.vet(a)
    if (a.escrow && c.settlement?.released(a.escrow.jobId))
      throw new PaymentRefusedError(`escrow job ${a.escrow.jobId} was released: no more work on it`)
    await payments?.vet(a)
  }
  const demands = new DemandLog()
  await serveAgreements({ ...c, book, vet, onAgreed: (a) => demands.agreed(a.demandId) })
  const work = new CurrentWork()
  const stats = await serveTasks({ ...c, book, work })
  // sessions are paid like tasks when the provider has a price and a wallet; free at price 0
  const pay =
    c.payments && c.terms.pricePerUnit > 0n
      ? {
          identity: c.identity,
          payments: c.payments,
          settlement: c.settlement,
          // the ask in force when a session opens (the owner may change it while the node runs)
          get pricePerUnit() {
            return c.terms.pricePerUnit
          },
        }
      : undefined
  const streams = c.streams ? await serveStreams({ ...c, pay }) : undefined
  if (c.settlement) await serveReleases({ host: c.host, settlement: c.settlement, log: c.log })
  const stopOffers = startOfferResponder({
    ...c,
    book,
    seen: (d) => demands.record(d),
    acceptsPayment: (p) =>
      payments
        ? p !== undefined &&
          p.chainId === payments.ledger.chainId &&
          p.escrow.toLowerCase() === payments.ledger.deployments.escrow.toLowerCase()
        : true,
  })
  payments?.start()
  const stopAdvert = startCapacityAdvert(c)
  c.log.info({ threads: c.terms.threads, price: c.terms.pricePerUnit.toString() }, 'provider agent started')
  return {
    stats,
    streams,
    book,
    demands,
    work,
    async stop() {
      stopOffers()
      stopAdvert()
      await payments?.stop()
      await c.host.unhandle(c.host.services.wire.protocols.agree)
      await c.host.unhandle(c.host.services.wire.protocols.task)
      if (streams) await c.host.unhandle(c.host.services.wire.protocols.stream)
      if (c.settlement) await c.host.unhandle(c.host.services.wire.protocols.release)
    },
  }
}
