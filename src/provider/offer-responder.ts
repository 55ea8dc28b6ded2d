import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import { inOfferSample } from '../market/offer-sample.js'
import { formatPrice } from '../market/price.js'
import { requestJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { signPayload, verifyPayload } from '../net/signing.js'
import { DOMAINS } from '../protocols/ids.js'
import {
  AckSchema,
  type Decline,
  type DeclineReason,
  type Demand,
  DemandSchema,
  type Offer,
  signedPart,
} from '../protocols/market-messages.js'
import type { AgreementBook } from './agreements.js'
import { DeclineLimiter } from './decline-limiter.js'
import type { DemandSeen } from './explain.js'
import type { ProviderTerms, WorkGate } from './types.js'

const MAX_DEMAND_BYTES = 16 * 1024
const decoder = new TextDecoder('utf-8', { fatal: true })

/** Components the offer responder needs. */
export interface OfferResponderComponents {
  host: Host
  identity: Identity
  terms: ProviderTerms
  gate: WorkGate
  book: AgreementBook
  log: Logger
  /** Whether we can be paid through the demand's payment terms (our chain and escrow contract). */
  acceptsPayment?: (payment: Demand['payment']) => boolean
  /** Told about every demand seen and what was done with it (`mutirao provider explain`). */
  seen?: (demand: DemandSeen) => void
}

/** Why a provider will not offer for a demand: a code, words for the user, and our ask for `price`. */
export interface DeclineVerdict {
  reason: DeclineReason
  detail: string
  ask?: bigint
}

/** Why a demand is not answered, or undefined when it matches this provider (undefined too when it expired). */
export function declineReason(
  demand: Demand,
  terms: ProviderTerms,
  now = Date.now(),
): DeclineVerdict | undefined {
  if (demand.deadline <= now) return undefined
  if (!terms.kinds.includes(demand.kind))
    return { reason: 'kind', detail: `we do not run ${demand.kind} jobs (we run ${terms.kinds.join(', ')})` }
  if (BigInt(demand.maxPricePerUnit) < terms.pricePerUnit)
    return {
      reason: 'price',
      detail: `our ask ${formatPrice(terms.pricePerUnit)} is above the max price ${formatPrice(demand.maxPricePerUnit)}`,
      ask: terms.pricePerUnit,
    }
  if (demand.modelBytes > terms.maxModelBytes)
    return {
      reason: 'model-size',
      detail: `model of ${demand.modelBytes} bytes is above our limit of ${terms.maxModelBytes}`,
    }
  if (terms.taskMemoryBytes !== undefined && (demand.minMemoryBytes ?? 0) > terms.taskMemoryBytes)
    return {
      reason: 'memory',
      detail: `needs ${demand.minMemoryBytes} bytes per task; we grant ${terms.taskMemoryBytes}`,
    }
  if (demand.executionProvider && demand.executionProvider !== (terms.executionProvider ?? 'cpu'))
    return {
      reason: 'hardware',
      detail: `the job needs ${demand.executionProvider}; we run models on the ${terms.executionProvider ?? 'cpu'}`,
    }
  return undefined
}

/** Listen to demands on gossip and answer matching ones with a signed offer sent to the requester. */
export function startOfferResponder(c: OfferResponderComponents): () => void {
  const limiter = new DeclineLimiter()
  const onMessage = (evt: { detail: { topic: string; data: Uint8Array } }) => {
    if (evt.detail.topic !== c.host.services.wire.topics.demand) return
    void handleDemand(c, evt.detail.data, limiter).catch((err) =>
      c.log.debug({ err: err.message }, 'demand ignored'),
    )
  }
  c.host.services.pubsub.subscribe(c.host.services.wire.topics.demand)
  c.host.services.pubsub.addEventListener('message', onMessage as never)
  return () => {
    // the node stays subscribed: it forwards demands for the peers behind it (see src/node/start-node.ts)
    c.host.services.pubsub.removeEventListener('message', onMessage as never)
  }
}

async function handleDemand(
  c: OfferResponderComponents,
  data: Uint8Array,
  limiter: DeclineLimiter,
): Promise<void> {
  if (data.length > MAX_DEMAND_BYTES) throw new Error('demand too large')
  const demand = DemandSchema.parse(JSON.parse(decoder.decode(data)))
  await verifyPayload(demand.requester, DOMAINS.demand, signedPart(demand), demand.signature)
  if (demand.requester === c.identity.peerId) return
  if (!inOfferSample(demand.demandId, c.identity.peerId, demand.offerSample)) {
    c.seen?.({
      demandId: demand.demandId,
      at: Date.now(),
      kind: demand.kind,
      maxPricePerUnit: BigInt(demand.maxPricePerUnit),
      decision: 'not-sampled',
      detail: `the requester asked a ${(100 * (demand.offerSample ?? 1)).toFixed(1)} % sample of providers; not us this time`,
    })
    return
  }
  const verdict: DeclineVerdict | undefined =
    c.acceptsPayment && !c.acceptsPayment(demand.payment)
      ? { reason: 'chain', detail: 'cannot be paid on our chain and escrow contract' }
      : (declineReason(demand, c.terms) ??
        (c.gate.accepting()
          ? undefined
          : { reason: 'paused', detail: c.gate.why?.() ?? 'idle-only: the owner is using the machine' }))
  c.seen?.({
    demandId: demand.demandId,
    at: Date.now(),
    kind: demand.kind,
    maxPricePerUnit: BigInt(demand.maxPricePerUnit),
    decision: verdict?.reason ?? 'offered',
    ...(verdict && { detail: verdict.detail }),
  })
  if (verdict) {
    const what = verdict.reason === 'paused' ? 'busy: not offering' : 'declined demand'
    c.log.info({ demand: demand.demandId, reason: verdict.reason, detail: verdict.detail }, what)
    if (limiter.allow(demand.requester, demand.demandId)) await sendDecline(c, demand, verdict)
    return
  }
  const unsigned = {
    v: 1 as const,
    demandId: demand.demandId,
    provider: c.identity.peerId,
    ethAddress: c.identity.ethAddress,
    pricePerUnit: c.terms.pricePerUnit.toString(),
    threads: c.terms.threads,
    expires: Math.min(demand.deadline, Date.now() + 60_000),
  }
  const offer: Offer = {
    ...unsigned,
    signature: await signPayload(c.identity.peerKey, DOMAINS.offer, unsigned),
  }
  c.book.rememberOffer(offer)
  const requester = await rememberRequester(c, demand)
  const ack = await requestJson(
    c.host,
    requester,
    c.host.services.wire.protocols.offer,
    offer,
    AckSchema,
    5000,
  )
  c.log.debug({ demand: demand.demandId, ok: ack.ok }, 'offer sent')
}

/** Tell the requester why we do not offer (signed, so nobody can decline on our behalf). */
async function sendDecline(c: OfferResponderComponents, demand: Demand, v: DeclineVerdict): Promise<void> {
  const unsigned = {
    v: 1 as const,
    demandId: demand.demandId,
    provider: c.identity.peerId,
    reason: v.reason,
    detail: v.detail.slice(0, 200),
    ...(v.ask !== undefined ? { ask: v.ask.toString() } : {}),
  }
  const decline: Decline = {
    ...unsigned,
    signature: await signPayload(c.identity.peerKey, DOMAINS.decline, unsigned),
  }
  const requester = await rememberRequester(c, demand)
  await requestJson(c.host, requester, c.host.services.wire.protocols.decline, decline, AckSchema, 5000)
}

/** The demand's requester, with the addresses it announced added to our peer store. */
async function rememberRequester(c: OfferResponderComponents, demand: Demand) {
  const requester = peerIdFromString(demand.requester)
  const addrs = demand.addrs.flatMap((a) => {
    try {
      return [multiaddr(a)]
    } catch {
      return []
    }
  })
  if (addrs.length) await c.host.peerStore.merge(requester, { multiaddrs: addrs }).catch(() => {})
  return requester
}
