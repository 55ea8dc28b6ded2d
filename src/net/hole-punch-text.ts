/** What hole punching has done since the node started (the `holePunch` field of `status`). */
export interface HolePunchStats {
  /** Punches this node took part in (as either side). */
  attempts: number
  /** Those that ended with a direct connection. */
  direct: number
  /** Why the last one that failed did, in words. */
  lastFailure?: string
  /** The external addresses this node would offer a punch now (from identify's observed addresses). */
  observed: string[]
}

/** Hole punching in words: how many relayed connections became direct, what it offers, the last failure. */
export function holePunchText(h: HolePunchStats): string {
  const offers = h.observed.length ? `offers ${h.observed.join(', ')}` : 'no external address observed yet'
  const failure = h.lastFailure ? `; last failure ${h.lastFailure}` : ''
  return `${h.direct} of ${h.attempts} direct; ${offers}${failure}`
}
