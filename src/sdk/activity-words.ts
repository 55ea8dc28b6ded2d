/** The chain's activity in words, shared by `mutirao ledger activity` and the dashboard (pure, no markup). */
import { mutAmount } from '../market/price.js'
import type { ActivityInfo } from './ledger-types.js'

/** What each kind of event means, after the account's name. */
export const ACTIVITY_WORDS: Record<ActivityInfo['kind'], string> = {
  'job-opened': 'opened an escrow job',
  contribution: 'was paid for work',
  'job-settled': 'closed an escrow job, refunded',
  'job-reclaimed': 'reclaimed the unpaid rest',
  staked: 'staked',
  'unstake-requested': 'asked to unstake',
  withdrawn: 'withdrew unbonded stake',
  slashed: 'was slashed',
  accused: 'was accused of a wrong result, held',
  'dispute-resolved': 'dispute resolved',
}

/** A unix time as `2026-12-06 12:15:55` (UTC). */
export const utc = (unix: number): string =>
  new Date(unix * 1000).toISOString().replace('T', ' ').slice(0, 19)

/** The facts beside the verb: units, the stake after, the unlock time, the releases, a dispute's outcome. */
export function activityDetails(e: ActivityInfo): string[] {
  return [
    e.units !== undefined ? `${e.units} units` : '',
    e.total !== undefined ? `stake now ${mutAmount(e.total)} MUT` : '',
    e.unlockAt !== undefined ? `withdrawable from ${utc(Number(e.unlockAt))}` : '',
    e.payees !== undefined ? `released by ${e.payees} provider(s)` : '',
    e.outcome ?? '',
  ].filter(Boolean)
}

/** What the event was about: `job 7`, `dispute 3`, or nothing. */
export const activitySubject = (e: ActivityInfo): string =>
  e.jobId !== undefined ? `job ${e.jobId}` : e.disputeId !== undefined ? `dispute ${e.disputeId}` : ''
