/** Tasks a provider runs ahead of the vouchers that pay for them, per stream, before it waits (credit limit). */
export const MAX_UNVOUCHERED_TASKS = 512

/**
 * The credit limit of a whole escrow job, in streams' worth of tasks: results written off by requester
 * restarts add up to at most this, so reconnecting is no way to get unpaid work without end.
 */
export const JOB_CREDIT_STREAMS = 4

/**
 * Whether a provider waits for a voucher before the next task. Counted per stream first: results a crashed
 * requester never received cannot be vouchered by its restarted process, and must not block its next
 * session (they are written off); the whole escrow job's uncovered results are capped too.
 */
export function creditExhausted(streamUnvouchered: number, jobUncovered: number): boolean {
  return (
    streamUnvouchered > MAX_UNVOUCHERED_TASKS || jobUncovered > MAX_UNVOUCHERED_TASKS * JOB_CREDIT_STREAMS
  )
}
