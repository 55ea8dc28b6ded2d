import { randomBytes } from 'node:crypto'
import { peerIdFromString } from '@libp2p/peer-id'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import type { ProviderDirectory } from '../market/directory.js'
import { connectKindProviders } from '../market/kind-providers.js'
import { offerSampleRate } from '../market/offer-sample.js'
import { requestJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { signPayload, verifyPayload } from '../net/signing.js'
import { DOMAINS } from '../protocols/ids.js'
import {
  AckSchema,
  type Agreement,
  type Decline,
  type Demand,
  type DisputeRef,
  type EscrowRef,
  type JobKind,
  type Offer,
  signedPart,
} from '../protocols/market-messages.js'
import type { OfferInbox } from './offer-inbox.js'
import { type Candidate, rankCandidates } from './select-offers.js'

/** Components of the market client. */
export interface MarketClientComponents {
  host: Host
  identity: Identity
  inbox: OfferInbox
  directory: ProviderDirectory
  log: Logger
  /** Reputation in [0, 1] of a provider (0.5 when unknown). */
  reputation?: (provider: string) => number
}

/** What the requester asks the market for. */
export interface DemandTerms {
  jobId: string
  /** The job kind (default `onnx-inference`); providers offer only for kinds they run. */
  kind?: JobKind
  /** Memory one task needs (wasm: limits.memoryBytes); providers that grant less per task decline. */
  minMemoryBytes?: number
  /** Only providers on this execution provider. */
  executionProvider?: 'webgpu'
  /** Rank providers on this execution provider first. */
  preferExecutionProvider?: string
  modelHash: string
  /** Batch axes of the inputs, named in agreements when not all on axis 0 (the provider counts samples by them). */
  inputAxes?: Record<string, number | 'broadcast'>
  modelBytes: number
  costPerSample: number
  samples: number
  maxPricePerUnit: bigint
  deadline: number
  /** Providers wanted. */
  want: number
  /** Providers not to consider (already working, or banned for this job). */
  exclude: Set<string>
  signal?: AbortSignal
  /** Payment terms announced in the demand (chain, escrow contract, payer). */
  payment?: { chainId: number; escrow: string; payer: string }
  /**
   * Called with the chosen offers before agreements are signed: opens (or returns) the job's escrow and
   * its uniform price. Offers above that price are dropped.
   */
  settle?: (chosen: Offer[]) => Promise<{ escrow: EscrowRef; pricePerUnit: bigint; requesterEth: string }>
  /** Whether (and for which resolver) to ask the offering provider for dispute evidence on every result. */
  disputes?: (providerEth: string) => Promise<DisputeRef | undefined>
}

const newId = () => randomBytes(12).toString('base64url')

/** What one round of acquisition brought: countersigned agreements, and the declines of those that refused. */
export interface Acquisition {
  agreements: Agreement[]
  declines: Decline[]
}

/**
 * Announce a demand on gossip, collect signed offers (and declines, with their reasons), rank the offers
 * (price, reputation, latency) and sign agreements with the best `want` providers.
 */
export async function acquireProviders(c: MarketClientComponents, terms: DemandTerms): Promise<Acquisition> {
  // the providers we know of that could answer, and how many of them take work now
  const reachable = c.directory.list().filter((p) => !terms.exclude.has(p.provider))
  const known = reachable.filter((p) => p.accepting).length
  const sample = offerSampleRate(known, terms.want)
  const unsigned = {
    v: 1 as const,
    demandId: newId(),
    requester: c.identity.peerId,
    addrs: c.host.getMultiaddrs().map(String).slice(0, 16),
    kind: terms.kind ?? 'onnx-inference',
    modelHash: terms.modelHash,
    modelBytes: terms.modelBytes,
    costPerSample: terms.costPerSample,
    samples: terms.samples,
    maxPricePerUnit: terms.maxPricePerUnit.toString(),
    deadline: terms.deadline,
    ...(terms.minMemoryBytes ? { minMemoryBytes: terms.minMemoryBytes } : {}),
    ...(terms.executionProvider ? { executionProvider: terms.executionProvider } : {}),
    ...(terms.payment ? { payment: terms.payment } : {}),
    ...(sample < 1 ? { offerSample: sample } : {}),
  }
  const demand: Demand = {
    ...unsigned,
    signature: await signPayload(c.identity.peerKey, DOMAINS.demand, unsigned),
  }
  const kind = unsigned.kind
  // nobody we know offers this kind: look for its providers on the DHT while the demand goes out (it is
  // published again every second, so the providers found and connected hear it)
  if (!reachable.some((p) => p.kinds.includes(kind)))
    void connectKindProviders(c.host, kind, { limit: 2 * terms.want, timeoutMs: 4000, skip: terms.exclude })
      .then(
        (found) =>
          found.length && c.log.info({ kind, found: found.length }, 'providers of the kind found on the DHT'),
      )
      .catch((err: Error) => c.log.debug({ kind, err: err.message }, 'DHT lookup of the kind failed'))
  const { offers, declines } = await collectOffers(c, demand, terms, reachable.length, known)
  if (terms.signal?.aborted) return { agreements: [], declines }
  const adverts = new Map(c.directory.list().map((a) => [a.provider, a.hardware.executionProvider ?? 'cpu']))
  const candidates: Candidate[] = await Promise.all(
    offers.map(async (offer) => ({
      offer,
      executionProvider: adverts.get(offer.provider),
      reputation: c.reputation?.(offer.provider) ?? 0.5,
      latencyMs: await c.host.services.ping
        .ping(peerIdFromString(offer.provider), { signal: AbortSignal.timeout(300) })
        .catch(() => undefined),
    })),
  )
  let chosen = rankCandidates(
    candidates,
    terms.maxPricePerUnit,
    Date.now(),
    terms.preferExecutionProvider,
  ).slice(0, terms.want)
  if (!chosen.length) return { agreements: [], declines }
  const settled = await terms.settle?.(chosen.map((x) => x.offer))
  if (settled) chosen = chosen.filter((x) => BigInt(x.offer.pricePerUnit) <= settled.pricePerUnit)
  const agreed = await Promise.all(
    chosen.map((cand) =>
      agree(c, demand, cand.offer, terms, settled).catch((err) => {
        c.log.info({ provider: cand.offer.provider, err: (err as Error).message }, 'agreement failed')
        return undefined
      }),
    ),
  )
  return { agreements: agreed.filter((a): a is Agreement => a !== undefined), declines }
}

/**
 * How long to wait for more offers after the first one arrived `firstAfterMs` after the demand: twice
 * that (a loaded network answers slowly, and more offers spread a job over more providers), 250 ms to 1 s.
 */
export const offerGraceMs = (firstAfterMs: number) => Math.min(1000, Math.max(250, 2 * firstAfterMs))

/**
 * The `copy`-th publication of `demand`, signed: gossip names a message by its bytes (their SHA-256), so a
 * second copy with the same bytes would be dropped as already seen by every node, the publisher included.
 */
async function demandCopy(c: MarketClientComponents, demand: Demand, copy: number): Promise<Demand> {
  if (copy === 0) return demand
  const unsigned = { ...signedPart(demand), copy }
  return { ...unsigned, signature: await signPayload(c.identity.peerKey, DOMAINS.demand, unsigned) }
}

/** Publish `demand` and gather answers from the `candidates` providers we know of (`known` of them accepting). */
async function collectOffers(
  c: MarketClientComponents,
  demand: Demand,
  terms: DemandTerms,
  candidates: number,
  known: number,
): Promise<{ offers: Offer[]; declines: Decline[] }> {
  const offers = new Map<string, Offer>()
  const declines = new Map<string, Decline>()
  const expected = Math.max(terms.want, Math.min(known, terms.want * 2))
  const { promise: enough, resolve } = Promise.withResolvers<void>()
  const started = Date.now()
  // every provider we know of has answered (offer or decline): nothing more to wait for
  const allAnswered = () => candidates > 0 && offers.size + declines.size >= candidates
  const stop = c.inbox.listen(
    demand.demandId,
    (offer) => {
      if (terms.exclude.has(offer.provider)) return
      declines.delete(offer.provider)
      offers.set(offer.provider, offer)
      if (offers.size >= expected || allAnswered()) resolve()
      else if (offers.size === 1) setTimeout(resolve, offerGraceMs(Date.now() - started))
    },
    (decline) => {
      if (terms.exclude.has(decline.provider) || offers.has(decline.provider)) return
      declines.set(decline.provider, decline)
      if (allAnswered()) resolve()
    },
  )
  c.log.info({ demand: demand.demandId, known, offerSample: demand.offerSample ?? 1 }, 'demand published')
  try {
    for (let copy = 0; Date.now() - started < 5000 && !terms.signal?.aborted; copy++) {
      const bytes = new TextEncoder().encode(JSON.stringify(await demandCopy(c, demand, copy)))
      await c.host.services.pubsub.publish(c.host.services.wire.topics.demand, bytes).catch(() => {})
      const more = await Promise.race([enough.then(() => true), sleep(1000).then(() => false)])
      if (more || offers.size > 0) break
    }
  } finally {
    stop()
  }
  c.log.debug(
    { demand: demand.demandId, offers: offers.size, declines: declines.size, ms: Date.now() - started },
    'offers collected',
  )
  return { offers: [...offers.values()], declines: [...declines.values()] }
}

async function agree(
  c: MarketClientComponents,
  demand: Demand,
  offer: Offer,
  terms: DemandTerms,
  settled?: { escrow: EscrowRef; pricePerUnit: bigint; requesterEth: string },
): Promise<Agreement> {
  const disputes = await terms.disputes?.(offer.ethAddress)
  const unsigned = {
    v: 1 as const,
    agreementId: newId(),
    demandId: demand.demandId,
    jobId: terms.jobId,
    requester: c.identity.peerId,
    provider: offer.provider,
    providerEth: offer.ethAddress,
    pricePerUnit: (settled?.pricePerUnit ?? BigInt(offer.pricePerUnit)).toString(),
    kind: demand.kind,
    modelHash: terms.modelHash,
    costPerSample: terms.costPerSample,
    deadline: terms.deadline,
    ...(settled ? { escrow: settled.escrow, requesterEth: settled.requesterEth } : {}),
    ...(terms.inputAxes ? { inputAxes: terms.inputAxes } : {}),
    ...(disputes ? { disputes } : {}),
  }
  const requesterSig = await signPayload(c.identity.peerKey, DOMAINS.agreement, unsigned)
  const ack = await requestJson(
    c.host,
    peerIdFromString(offer.provider),
    c.host.services.wire.protocols.agree,
    { ...unsigned, requesterSig },
    AckSchema,
  )
  if (!ack.ok || !ack.providerSig)
    throw new Error(`provider refused the agreement: ${ack.error ?? 'no signature'}`)
  await verifyPayload(offer.provider, DOMAINS.agreement, unsigned, ack.providerSig)
  return { ...unsigned, requesterSig, providerSig: ack.providerSig }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
