import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Identity } from '../identity/keys.js'
import type { Logger } from '../log.js'
import { AckSchema, type Demand, DemandSchema, type Offer, signedPart } from '../market/messages.js'
import { requestJson } from '../market/rpc.js'
import type { Host } from '../net/host.js'
import { signPayload, verifyPayload } from '../net/signing.js'
import { DOMAINS, PROTOCOLS, TOPICS } from '../protocols/ids.js'
import type { AgreementBook } from './agreements.js'
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
}

/** Why a demand is not answered, or undefined when it matches this provider. */
export function declineReason(demand: Demand, terms: ProviderTerms, now = Date.now()): string | undefined {
  if (demand.deadline <= now) return 'deadline passed'
  if (!terms.kinds.includes(demand.kind)) return `we do not run ${demand.kind} jobs`
  if (BigInt(demand.maxPricePerUnit) < terms.pricePerUnit) return 'max price below our price'
  if (demand.modelBytes > terms.maxModelBytes) return 'model too large'
  if (terms.taskMemoryBytes !== undefined && (demand.minMemoryBytes ?? 0) > terms.taskMemoryBytes)
    return 'needs more memory per task than we grant'
  return undefined
}

/** Listen to demands on gossip and answer matching ones with a signed offer sent to the requester. */
export function startOfferResponder(c: OfferResponderComponents): () => void {
  const onMessage = (evt: { detail: { topic: string; data: Uint8Array } }) => {
    if (evt.detail.topic !== TOPICS.demand) return
    void handleDemand(c, evt.detail.data).catch((err) => c.log.debug({ err: err.message }, 'demand ignored'))
  }
  c.host.services.pubsub.subscribe(TOPICS.demand)
  c.host.services.pubsub.addEventListener('message', onMessage as never)
  return () => {
    c.host.services.pubsub.removeEventListener('message', onMessage as never)
    c.host.services.pubsub.unsubscribe(TOPICS.demand)
  }
}

async function handleDemand(c: OfferResponderComponents, data: Uint8Array): Promise<void> {
  if (data.length > MAX_DEMAND_BYTES) throw new Error('demand too large')
  const demand = DemandSchema.parse(JSON.parse(decoder.decode(data)))
  await verifyPayload(demand.requester, DOMAINS.demand, signedPart(demand), demand.signature)
  if (demand.requester === c.identity.peerId) return
  const reason =
    c.acceptsPayment && !c.acceptsPayment(demand.payment)
      ? 'cannot be paid on our chain'
      : declineReason(demand, c.terms)
  if (reason) return c.log.debug({ demand: demand.demandId, reason }, 'declined demand')
  if (!c.gate.accepting()) return c.log.info({ demand: demand.demandId }, 'busy: not offering')
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
  const requester = peerIdFromString(demand.requester)
  const addrs = demand.addrs.flatMap((a) => {
    try {
      return [multiaddr(a)]
    } catch {
      return []
    }
  })
  if (addrs.length) await c.host.peerStore.merge(requester, { multiaddrs: addrs }).catch(() => {})
  const ack = await requestJson(c.host, requester, PROTOCOLS.offer, offer, AckSchema, 5000)
  c.log.debug({ demand: demand.demandId, ok: ack.ok }, 'offer sent')
}
