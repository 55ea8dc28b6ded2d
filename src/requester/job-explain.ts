import { type FiatRate, fiatAmount } from '../market/fiat.js'
import { mutAmount } from '../market/price.js'
import type { Settlement } from '../payments/settlement.js'
import type { JobProgress } from './job-spec.js'

/** One fact of a job's story: a code to script against and words for people. */
export interface JobReason {
  code:
    | 'outcome'
    | 'no-offers'
    | 'waiting'
    | 'provider'
    | 'fallback'
    | 'verification'
    | 'outvoted'
    | 'excluded'
    | 'unchecked'
    | 'relayed'
    | 'redispatched'
    | 'paid'
    | 'refund'
    | 'escrow-open'
  message: string
}

/** What {@link explainJob} reads of a job's progress. */
export type ExplainableJob = Pick<
  JobProgress,
  | 'jobId'
  | 'status'
  | 'error'
  | 'samplesDone'
  | 'samplesTotal'
  | 'shardsDone'
  | 'shardsTotal'
  | 'createdAt'
  | 'finishedAt'
  | 'notices'
  | 'providers'
  | 'verification'
>

/** `mutirao job explain`: what happened to a job and why. */
export interface JobExplanation {
  jobId: string
  status: JobProgress['status']
  reasons: JobReason[]
}

/** The escrow part the API adds to a job (api/ledger-routes.ts escrowSummary), amounts in base units. */
export interface EscrowFacts {
  escrowJob: string
  pricePerUnit: string
  /** Locked when the job opened its escrow. */
  budget: string | null
  /** Accepted work at the job's price. */
  cost: string
  refundable: string | null
  refunded: string | null
  reclaimed: string | null
  settlement: Settlement | null
}

const short = (peer: string) => `${peer.slice(0, 12)}…${peer.slice(-4)}`

/**
 * The facts of a job in order — how it ended, who computed what on which execution provider, how results were
 * verified (outvoted, excluded, unchecked), what was paid and what came back or is refundable — from its stored
 * progress and escrow; with the user's `rate`, money also in their currency. Pure.
 */
export function explainJob(
  job: ExplainableJob,
  escrow?: EscrowFacts | null,
  rate?: FiatRate,
): JobExplanation {
  const fiat = (units: string | bigint) => (rate ? ` (${fiatAmount(units, rate)})` : '')
  const reasons: JobReason[] = []
  const add = (code: JobReason['code'], message: string) => reasons.push({ code, message })
  const seconds = job.finishedAt ? ` in ${((job.finishedAt - job.createdAt) / 1000).toFixed(1)} s` : ''
  add(
    'outcome',
    job.status === 'failed'
      ? `failed${seconds}: ${job.error ?? 'no reason recorded'}`
      : `${job.status}${seconds}: ${job.samplesDone}/${job.samplesTotal} samples in ${job.shardsDone}/${job.shardsTotal} shards`,
  )
  for (const n of job.notices ?? []) {
    if (n.code === 'no-offers') add('no-offers', n.message)
    else if (n.code === 'waiting-providers') add('waiting', n.message)
    else if (n.code === 'unchecked' || n.code === 'verification-failed') add('unchecked', n.message)
    else if (n.code === 'relayed') add('relayed', n.message)
    else if (n.code === 'redispatched') add('redispatched', n.message)
  }
  for (const p of job.providers) {
    const eps = p.executionProviders?.length ? ` on ${p.executionProviders.join(', ')}` : ''
    add(
      'provider',
      `${short(p.provider)} computed ${p.samples} samples in ${p.shards} shards${eps} (${p.units} units)`,
    )
    if (p.epFallback) add('fallback', `${short(p.provider)} ran on its CPU: ${p.epFallback}`)
  }
  const v = job.verification
  if (v) {
    const s = v.shards
    add(
      'verification',
      `policy ${v.policy}: ${s ? `${s.checked} shards checked by a second provider, ${s.single} from one provider, ${s.unchecked} unchecked, ` : ''}${v.replicaTasks} extra tasks, ${v.canaryTasks} canaries`,
    )
    if (v.invalid) add('outvoted', `${v.invalid} results lost a vote or failed a canary and were not used`)
    for (const p of v.excluded)
      add('excluded', `${short(p)} was excluded from the job by the verification policy`)
  }
  if (escrow) {
    add(
      'paid',
      `${mutAmount(escrow.cost)} MUT${fiat(escrow.cost)} for accepted work at ${mutAmount(BigInt(escrow.pricePerUnit) * 1000n)} MUT per 1,000 units`,
    )
    if (escrow.refunded !== null)
      add(
        'refund',
        `${mutAmount(escrow.refunded)} MUT${fiat(escrow.refunded)} came back when the escrow closed`,
      )
    else if (escrow.reclaimed !== null)
      add('refund', `${mutAmount(escrow.reclaimed)} MUT${fiat(escrow.reclaimed)} reclaimed`)
    else if (escrow.refundable !== null)
      add(
        'refund',
        `${mutAmount(escrow.refundable)} MUT${fiat(escrow.refundable)} refundable (\`mutirao ledger reclaim ${job.jobId}\` after the redeem window)`,
      )
    if (escrow.settlement?.status === 'open')
      add('escrow-open', `escrow left open: ${escrow.settlement.reason}`)
  }
  return { jobId: job.jobId, status: job.status, reasons }
}
