/** NAT traversal in words, for `mutirao status` and the dashboard (no libp2p import: the page uses it). */

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
  /** The last few outcomes, newest last: punches won or failed, and punched connections that closed. */
  recent?: HolePunchEvent[]
}

/** One thing hole punching saw: `peer` is the last 8 characters of the peer id. */
export interface HolePunchEvent {
  /** Unix milliseconds. */
  at: number
  peer: string
  /** `direct` (a punch or a direct dial replaced a relayed connection), `failed`, or `closed` (a punched connection ended). */
  event: 'direct' | 'failed' | 'closed'
  detail: string
}

/** Hole punching in words: how many relayed connections became direct, what it offers, the last failure. */
export function holePunchText(h: HolePunchStats): string {
  const offers = h.observed.length ? `offers ${h.observed.join(', ')}` : 'no external address observed yet'
  const failure = h.lastFailure ? `; last failure ${h.lastFailure}` : ''
  return `${h.direct} of ${h.attempts} direct; ${offers}${failure}`
}

/** What NAT-PMP port mapping has done (the `portMapping` field of `status`). */
export interface PortMappingStats {
  /** The router asked (the default gateway), if any. */
  gateway?: string
  /** The public addresses the router forwards to this node. */
  mapped: string[]
  /** Why the last request failed, in words. */
  lastError?: string
}

/** Port mapping in words: what the router forwards, or why it does not. */
export function portMappingText(p: PortMappingStats): string {
  const via = p.gateway ? ` by router ${p.gateway} (NAT-PMP)` : ''
  const mapped = p.mapped.length ? `${p.mapped.join(', ')} forwarded${via}` : `nothing forwarded${via}`
  return p.lastError ? `${mapped}; last error: ${p.lastError}` : mapped
}
