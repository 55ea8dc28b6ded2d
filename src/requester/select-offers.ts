import type { Offer } from '../protocols/market-messages.js'

/** What the requester knows about a candidate when choosing. */
export interface Candidate {
  offer: Offer
  /** Round-trip latency in ms (ping), or undefined when unmeasured. */
  latencyMs?: number
  /** Reputation score in [0, 1] (0.5 = unknown). */
  reputation: number
  /** Where it runs models, from its capacity advert (undefined when no advert was seen). */
  executionProvider?: string
}

/**
 * Rank offers: those on the `prefer`red execution provider first (when given), then by one weighted score —
 * lower price (0.5), higher reputation (0.3), lower latency (0.2). Offers above `maxPricePerUnit` or expired
 * are dropped.
 */
export function rankCandidates(
  candidates: Candidate[],
  maxPricePerUnit: bigint,
  now = Date.now(),
  prefer?: string,
): Candidate[] {
  const eligible = candidates.filter(
    (c) => BigInt(c.offer.pricePerUnit) <= maxPricePerUnit && c.offer.expires > now,
  )
  const maxPrice = Number(maxPricePerUnit) || 1
  const score = (c: Candidate) =>
    (prefer !== undefined && (c.executionProvider ?? 'cpu') !== prefer ? 10 : 0) +
    0.5 * (Number(c.offer.pricePerUnit) / maxPrice) +
    0.3 * (1 - c.reputation) +
    0.2 * Math.min((c.latencyMs ?? 200) / 200, 1)
  return eligible.sort((a, b) => score(a) - score(b))
}
