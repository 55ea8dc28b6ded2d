// The timing constants of a job's run (src/requester/job-run.ts).

/** How long a finished job waits for accusations still being filed before it reports `done`. */
export const DISPUTE_WAIT_MS = 15_000
/** How long a job with excluded providers may sit with no provider able to work before it fails. */
export const STARVED_MS = 30_000
/** Gap between hiring rounds once the job has its minimum of providers. */
export const ROUND_GAP_MS = 10_000
/**
 * Rounds that hired fewer providers than wanted are retried after this short gap, a few times: a provider
 * that missed the first demand (still joining the mesh) joins a short job before it ends.
 */
export const QUICK_ROUND_GAP_MS = 1_000
export const QUICK_ROUNDS = 3
/** Longest wait, at the end of a paid job, for the tasks still out (see #drain). */
export const DRAIN_MS = 3000
