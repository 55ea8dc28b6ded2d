import { formatUnits } from 'viem'
import { MutiraoError } from '../errors.js'

/** The federated demo could not run to its end (a job failed, or a holder was not paid). */
export class FlDemoError extends MutiraoError {
  override name = 'FlDemoError'
}

/** Options of {@link runFlDemo}. */
export interface FlDemoOptions {
  /** Federated rounds per job (and epochs of the centrally trained baseline); default 40. */
  rounds?: number
  /** Print the accuracy every this many rounds (default 5; the last round always). */
  every?: number
  /** Provider processes serving the co-built model (default 2). */
  providers?: number
  /** Data budget of each job, in MUT (default 1000). */
  budgetMut?: string
  /** Skip step 3 (serving the WDBC model on the compute market). */
  serve?: boolean
  /** Keep the data dirs here (default: a temp dir, removed at the end). */
  workDir?: string
  say?: (line: string) => void
}

/** One data holder of a demo job: its rows, its share, its payout and its on-chain balance change. */
export interface FlDemoHolder {
  name: string
  peer: string
  address: string
  rows: number
  /** Fraction of the data budget (payout / budget). */
  share: number
  payout: string
  /** Token balance after − before (must equal `payout`). */
  balanceChange: string
}

/** What one co-training job did. */
export interface FlDemoJob {
  job: string
  dataset: string
  secureAggregation: boolean
  valuation: string
  rounds: number
  /** Owner's held-out accuracy after each round. */
  accuracy: number[]
  federatedAccuracy: number
  /** The same model trained on the pooled training rows, same epochs, same test rows. */
  centralAccuracy: number
  holders: FlDemoHolder[]
  budget: string
  /** Owner's balance change (−budget: locked in escrow, then paid out). */
  ownerBalanceChange: string
  escrowJobId: string
  /** `ContributionRecorded` events of the escrow job whose receipts root is the lineage root. */
  contributionsOnChain: number
  modelHash: string
  lineageRoot: string
  lineageVerified: boolean
  anchoredOnChain: boolean
  problems: string[]
  seconds: number
}

/** Serving the co-built WDBC model as an inference job on the compute market. */
export interface FlDemoServe {
  jobId: string
  samples: number
  /** Accuracy of the network's labels on the owner's WDBC test rows. */
  accuracy: number
  labelsEqualLocal: boolean
  maxAbsDiffVsLocal: number
  providers: { name: string; units: number }[]
  seconds: number
}

/** The whole demo's report. */
export interface FlDemoReport {
  hospitals: FlDemoJob
  farms: FlDemoJob
  serve?: FlDemoServe
  /** Every check passed: federated within 2 points of central, payments equal shares, lineage verified and anchored, served = local. */
  ok: boolean
  seconds: number
}

export const pct = (v: number) => `${(100 * v).toFixed(2)}%`
export const fmtMut = (v: bigint) => `${formatUnits(v, 18)} MUT`

/** Prints what one co-training job did: accuracy against central training, shares and payments, lineage. */
export function printJob(r: FlDemoJob, say: (line: string) => void) {
  say(
    `  federated ${pct(r.federatedAccuracy)} vs the same model trained centrally on the pooled rows ${pct(r.centralAccuracy)} ` +
      `(${((r.federatedAccuracy - r.centralAccuracy) * 100).toFixed(2)} points ` +
      `${Math.abs(r.federatedAccuracy - r.centralAccuracy) <= 0.02 ? '✓ within 2' : '✗ more than 2'})`,
  )
  say(`  contribution (${r.valuation}) and payment of ${fmtMut(BigInt(r.budget))}:`)
  for (const h of r.holders)
    say(
      `    ${h.name.padEnd(11)} ${String(h.rows).padStart(4)} rows  share ${pct(h.share).padStart(7)}  paid ${fmtMut(BigInt(h.payout))}` +
        `  on-chain balance +${fmtMut(BigInt(h.balanceChange))} ${h.balanceChange === h.payout ? '✓' : '✗'}`,
    )
  say(
    `  lineage: ${r.rounds} rounds, root ${r.lineageRoot.slice(0, 16)}…, ${r.lineageVerified ? 'verified' : 'NOT VERIFIED'}; ` +
      `anchored on-chain: ${r.anchoredOnChain ? 'yes' : 'NO'}; ${r.contributionsOnChain} redemptions cite it (${r.seconds.toFixed(1)} s)`,
  )
}
