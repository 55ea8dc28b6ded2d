import type { JobNotice, JobProgress } from './job-spec.js'

/** Most notices a job keeps (the oldest are dropped first). */
export const MAX_NOTICES = 50

/**
 * Record something the user must be told about a job — a degraded verification, why no provider offered,
 * a wait for providers — in its progress (`notices`), where the CLI, the SDK and `jobs` show it.
 * A notice equal to the latest one of the same code is not repeated.
 */
export function addNotice(
  progress: Pick<JobProgress, 'notices'>,
  code: JobNotice['code'],
  message: string,
  now = Date.now(),
): boolean {
  progress.notices ??= []
  const notices = progress.notices
  const last = notices.findLast((n) => n.code === code)
  if (last?.message === message) return false
  notices.push({ at: now, code, message })
  if (notices.length > MAX_NOTICES) notices.splice(0, notices.length - MAX_NOTICES)
  return true
}

/** What to do with shards that wait for a check no provider can give (see VerificationSpec.fallback). */
export type StallDecision = 'wait' | 'fail' | 'accept-unchecked'

/** How long stalled shards wait for a second provider before the fallback applies. */
export const STALL_MS = 20_000
/** With `fallback: 'unchecked'` and no second provider in sight, the shorter wait before accepting. */
export const STALL_SINGLE_MS = 3_000

/**
 * Decide on stalled shards: wait (bounded) for a second provider, then fail the job unless it opted into
 * accepting unchecked results. `single`: no second provider can take part (providers.max < 2 or one live).
 */
export function stallDecision(o: {
  since: number
  now: number
  fallback: 'fail' | 'unchecked' | undefined
  single: boolean
}): StallDecision {
  const accept = o.fallback === 'unchecked'
  const wait = accept && o.single ? STALL_SINGLE_MS : STALL_MS
  if (o.now - o.since < wait) return 'wait'
  return accept ? 'accept-unchecked' : 'fail'
}
