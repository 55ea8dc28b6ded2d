/** What a provider knows when asked to release an escrow job. */
export interface ReleaseState {
  /** The request names this provider. */
  forMe: boolean
  /** Unix ms the request expires at, and now. */
  expires: number
  now: number
  /** The request is signed by the escrow job's requester. */
  signedByRequester: boolean
  /** The job is closed on-chain already. */
  closed: boolean
  /** Results delivered but not covered by a voucher this provider accepted. */
  uncovered: number
  /** Tasks of the job running now. */
  running: number
}

/** Longest a release request may be valid for: a captured request cannot be replayed much later. */
export const MAX_REQUEST_VALIDITY_MS = 10 * 60_000

/**
 * Whether a provider signs its release of an escrow job, or why not. A release gives up every payment
 * above the last voucher it holds, so it is signed only when every delivered result is vouchered and no
 * task of the job is still running; after it, the provider takes no more work on the job.
 */
export function releaseDecision(
  s: ReleaseState,
): { ok: true } | { ok: false; reason: string; retry?: boolean } {
  if (!s.forMe) return { ok: false, reason: 'the request names another provider' }
  if (s.expires < s.now) return { ok: false, reason: 'the request has expired; sign a fresh one' }
  if (s.expires > s.now + MAX_REQUEST_VALIDITY_MS)
    return { ok: false, reason: `the request is valid for more than ${MAX_REQUEST_VALIDITY_MS / 60_000} min` }
  if (!s.signedByRequester)
    return { ok: false, reason: "the request is not signed by the escrow job's requester" }
  if (s.closed) return { ok: false, reason: 'the escrow job is closed already' }
  if (s.uncovered > 0)
    return {
      ok: false,
      reason: `${s.uncovered} delivered result(s) are not covered by a voucher yet: send the voucher first`,
      retry: true,
    }
  if (s.running > 0)
    return { ok: false, reason: `${s.running} task(s) of the job are still running`, retry: true }
  return { ok: true }
}
