import { sha256 } from '@noble/hashes/sha2.js'

/** Offers a requester wants to choose from at least, however many providers it knows. */
export const OFFER_SAMPLE_MIN = 16

/**
 * The share of providers asked to offer for a demand: enough for about max(16, 4 · want) offers among the
 * `known` accepting providers, 1 (everyone) in a small network. A demand gossiped to thousands of providers
 * would otherwise bring thousands of offers, each a signature to check and a stream to accept.
 */
export function offerSampleRate(known: number, want: number): number {
  const target = Math.max(OFFER_SAMPLE_MIN, 4 * want)
  return known <= target ? 1 : target / known
}

const utf8 = new TextEncoder()

/**
 * Whether `provider` is in the offer sample of `demandId` at `rate`: SHA-256 of the two, read as a number in
 * [0, 1), below the rate. Deterministic, so anyone can check it; the demand id is fresh per demand, so each
 * demand asks a different subset.
 */
export function inOfferSample(demandId: string, provider: string, rate: number | undefined): boolean {
  if (rate === undefined || rate >= 1) return true
  const h = sha256(utf8.encode(`offer-sample\n${demandId}\n${provider}`))
  const x = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0
  return x / 2 ** 32 < rate
}
