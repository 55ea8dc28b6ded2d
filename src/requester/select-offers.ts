import type { Offer } from '../market/messages.js'

/** What the requester knows about a candidate when choosing. */
export interface Candidate {
  offer: Offer
  /** Round-trip latency in ms (ping), or undefined when unmeasured. */
  latencyMs?: number
  /** Reputation score in [0, 1] (0.5 = unknown). */
  reputation: number
}

/**
 * Rank offers: lower price first, then higher reputation, then lower latency, as one weighted score
 * (price 0.5, reputation 0.3, latency 0.2). Offers above `maxPricePerUnit` or expired are dropped.
 */
export function rankCandidates(
  candidates: Candidate[],
  maxPricePerUnit: bigint,
  now = Date.now(),
): Candidate[] {
  const eligible = candidates.filter(
    (c) => BigInt(c.offer.pricePerUnit) <= maxPricePerUnit && c.offer.expires > now,
  )
  const maxPrice = Number(maxPricePerUnit) || 1
  const score = (c: Candidate) =>
    0.5 * (Number(c.offer.pricePerUnit) / maxPrice) +
    0.3 * (1 - c.reputation) +
    0.2 * Math.min((c.latencyMs ?? 200) / 200, 1)
  return eligible.sort((a, b) => score(a) - score(b))
}
