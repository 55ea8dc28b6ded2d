import type { Address } from 'viem'
import { firstLine } from '../errors.js'
import type { SignedTaskResult } from '../ledger/dispute-actions.js'
import type { Ledger } from '../ledger/index.js'
import type { Logger } from '../log.js'
import type { DisputeRef } from '../protocols/market-messages.js'
import type { DisputeRecord } from './dispute-record.js'
import { verifyEvidence } from './evidence-check.js'
import type { VerificationSpec } from './job-spec.js'
import type { Answer } from './vote-scheduler.js'

/** What the filer needs of the requester's ledger. */
export type DisputeLedger = Pick<Ledger, 'chainId' | 'deployments' | 'stakeOf' | 'disputes'>

/**
 * The quorum evidence against `accused`: the agreeing answers' signed results for ONE output hash (the
 * largest such group), one per signer address, none by the accused's address. Tolerance comparison lets
 * honest replicas differ in bytes; the contract needs ≥ 2 signatures of the same hash, so an outvote by
 * replicas that agree only within tolerance yields fewer than 2 and cannot be disputed.
 */
export function quorumEvidence(accused: SignedTaskResult, agreeing: readonly Answer[]): SignedTaskResult[] {
  const groups = new Map<string, Map<Address, SignedTaskResult>>()
  for (const a of agreeing) {
    const e = a.evidence
    if (!e || e.provider === accused.provider || e.outputHash === accused.outputHash) continue
    const group = groups.get(e.outputHash) ?? new Map<Address, SignedTaskResult>()
    group.set(e.provider, e)
    groups.set(e.outputHash, group)
  }
  let best: SignedTaskResult[] = []
  for (const g of groups.values()) if (g.size > best.length) best = [...g.values()]
  return best
}

/**
 * Files on-chain accusations (DisputeResolver.accuse, with the accuser deposit from the requester's wallet)
 * against providers outvoted by ≥ 2 signers of one identical output. Filing runs in the background, one
 * at a time; a failure is logged and recorded, never thrown into the job.
 */
export class DisputeFiler {
  readonly records: DisputeRecord[] = []
  /** What agreements carry so that providers attach evidence for this resolver. */
  readonly terms: DisputeRef
  #queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly ledger: DisputeLedger & { disputes: NonNullable<Ledger['disputes']> },
    private readonly jobId: string,
    private readonly log: Logger,
    private readonly onChange: () => void,
  ) {
    this.terms = { chainId: ledger.chainId, resolver: ledger.deployments.disputeResolver! }
  }

  /**
   * The dispute terms for an agreement with the provider at `ethAddress`: only a staked provider is asked
   * for evidence. An unstaked one cannot be slashed, and leaving it out spares it the per-result EIP-712
   * signature (~1.3 ms, `npm run bench:evidence`); quorum evidence therefore also comes from staked providers.
   */
  readonly termsFor = async (ethAddress: string): Promise<DisputeRef | undefined> => {
    try {
      return (await this.ledger.stakeOf(ethAddress as Address)) > 0n ? this.terms : undefined
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'stake lookup failed: no dispute evidence asked')
      return undefined
    }
  }

  /** A shard was decided: consider a dispute against each outvoted answer that carries evidence. */
  decided(shard: number, inputHash: string, agreeing: readonly Answer[], outvoted: readonly Answer[]): void {
    for (const a of outvoted) {
      const accused = a.evidence
      if (!accused) continue
      const quorum = quorumEvidence(accused, agreeing)
      const rec: DisputeRecord = {
        shard,
        accused: a.provider,
        accusedEth: accused.provider,
        verifiers: quorum.map((q) => q.provider),
        status: 'filing',
      }
      this.records.push(rec)
      if (quorum.length < 2) {
        this.#done(rec, 'skipped', 'fewer than 2 quorum signers of one identical output hash')
        continue
      }
      this.#queue = this.#queue.then(() => this.#file(rec, inputHash, accused, quorum))
    }
  }

  async #file(rec: DisputeRecord, inputHash: string, accused: SignedTaskResult, claimed: SignedTaskResult[]) {
    try {
      // Signatures are recovered here, for the answers an accusation uses (claimedEvidence, evidence-check.ts).
      const fields = { jobId: this.jobId, inputHash }
      if (!(await verifyEvidence(accused, fields, this.terms)))
        return this.#done(rec, 'skipped', "the accused's evidence signature does not verify")
      const quorum: SignedTaskResult[] = []
      for (const q of claimed) if (await verifyEvidence(q, fields, this.terms)) quorum.push(q)
      rec.verifiers = quorum.map((q) => q.provider)
      if (quorum.length < 2)
        return this.#done(rec, 'skipped', 'fewer than 2 verifiable quorum signatures of one output hash')
      if ((await this.ledger.stakeOf(accused.provider)) === 0n)
        return this.#done(rec, 'skipped', 'the accused has no stake')
      const id = await this.ledger.disputes.accuse({ taskId: this.jobId, inputHash }, accused, quorum)
      rec.disputeId = id.toString()
      this.#done(rec, 'filed')
    } catch (err) {
      this.#done(rec, 'failed', firstLine(err).slice(0, 300))
    }
  }

  #done(rec: DisputeRecord, status: DisputeRecord['status'], reason?: string): void {
    rec.status = status
    if (reason) rec.reason = reason
    const fields = { job: this.jobId, shard: rec.shard, accused: rec.accused, dispute: rec.disputeId, reason }
    if (status === 'failed') this.log.warn(fields, 'dispute could not be filed')
    else this.log.info(fields, `dispute ${status}`)
    this.onChange()
  }

  /** Wait (at most `timeoutMs`) for the accusations being filed. */
  async settled(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    await Promise.race([this.#queue, new Promise((r) => (timer = setTimeout(r, timeoutMs)))])
    clearTimeout(timer)
  }
}

/**
 * The job's dispute filer: `auto` (the default) when the job is verified (policy ≠ `none`), the requester's
 * ledger has a DisputeResolver and the spec does not say `disputes: 'off'`; otherwise none.
 */
export function disputeFilerFor(
  ledger: DisputeLedger | undefined,
  spec: VerificationSpec,
  job: { id: string; log: Logger; onChange: () => void },
): DisputeFiler | undefined {
  const disputes = ledger?.disputes
  if (!ledger || !disputes || !ledger.deployments.disputeResolver) return undefined
  if (spec.policy === 'none' || spec.disputes === 'off') return undefined
  return new DisputeFiler({ ...ledger, disputes }, job.id, job.log, job.onChange)
}
