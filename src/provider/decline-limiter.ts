/** Most declines sent to one requester per window. */
export const DECLINES_PER_WINDOW = 10
/** The window of {@link DECLINES_PER_WINDOW}, in ms. */
export const DECLINE_WINDOW_MS = 60_000
/** Requesters remembered at once (the least recently declined are forgotten first). */
const MAX_REQUESTERS = 1024

/**
 * Rate limit of declines a provider sends: one per demand, at most {@link DECLINES_PER_WINDOW} per requester
 * per minute, so a requester flooding demands cannot make providers flood it (or anyone it names) back.
 * Pure: the clock is passed in.
 */
export class DeclineLimiter {
  readonly #sent = new Map<string, { times: number[]; demands: Set<string> }>()

  /** Whether a decline of `demandId` may go to `requester` now; records it when it may. */
  allow(requester: string, demandId: string, now = Date.now()): boolean {
    const entry = this.#sent.get(requester) ?? { times: [], demands: new Set<string>() }
    this.#sent.delete(requester)
    this.#sent.set(requester, entry)
    if (this.#sent.size > MAX_REQUESTERS) this.#sent.delete(this.#sent.keys().next().value as string)
    entry.times = entry.times.filter((t) => now - t < DECLINE_WINDOW_MS)
    if (entry.times.length === 0) entry.demands.clear()
    if (entry.demands.has(demandId) || entry.times.length >= DECLINES_PER_WINDOW) return false
    entry.times.push(now)
    entry.demands.add(demandId)
    return true
  }
}
