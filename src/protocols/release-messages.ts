import { z } from 'zod'

const Uint = z.string().regex(/^\d{1,78}$/)
const Sig = z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'a 65-byte hex signature')

/** Largest frame header on `/mutirao/release/1` (both directions are a few hundred bytes). */
export const MAX_RELEASE_HEADER_BYTES = 4096

/**
 * Requester → provider: "sign your release of escrow job `escrowJob`". `signature` is the job's requester's
 * EIP-191 signature of `releaseRequestText` (src/ledger/release.ts), so nobody else can make a provider
 * stop working on a job; it expires at `expires` (Unix ms).
 */
export const ReleaseRequestMsg = z.object({
  t: z.literal('release-request'),
  escrowJob: Uint,
  provider: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
  expires: z.number().int().positive(),
  signature: Sig,
})
export type ReleaseRequest = z.infer<typeof ReleaseRequestMsg>

/** Provider → requester: the signed release (units and root of the last voucher it holds; 0 when none). */
export const ReleaseGrantMsg = z.object({
  t: z.literal('release'),
  escrowJob: Uint,
  cumulativeUnits: Uint,
  receiptsRoot: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  signature: Sig,
})
export type ReleaseGrant = z.infer<typeof ReleaseGrantMsg>

/** Provider → requester: no release now, and why (results not yet vouchered, tasks running, bad request). */
export const ReleaseRefusedMsg = z.object({
  t: z.literal('release-refused'),
  escrowJob: Uint,
  reason: z.string().max(500),
  /** The refusal is temporary (a voucher is still being checked, a task still running): ask again soon. */
  retry: z.boolean(),
})

/** Replies a requester accepts on `/mutirao/release/1`. */
export const ReleaseReplyMsg = z.discriminatedUnion('t', [ReleaseGrantMsg, ReleaseRefusedMsg])
export type ReleaseReply = z.infer<typeof ReleaseReplyMsg>
