import type { Address, Hex } from 'viem'
import type { AnsweredEvent, OracleStatus } from '../ledger/oracle-actions.js'
import { mutAmount } from '../market/price.js'

/** What a provider knows about a request when deciding whether to answer it. */
export interface RequestView {
  requester: Address
  status: OracleStatus
  deadline: bigint
  fee: bigint
  quorum: number
  /** sha256 hex of the model, without 0x (the blob store's key). */
  modelHash: string
}

/** What the provider knows about itself. */
export interface AnswererView {
  me: Address
  nowSeconds: number
  /** Least fee share (base units) per answer the provider takes. */
  minFeePerAnswer: bigint
  stake: bigint
  minStake: bigint
  hasModel: boolean
  answered: boolean
}

/** Answer, or skip saying why; `retry` when the reason may pass (a model added, stake topped up). */
export type OracleDecision = { action: 'answer' } | { action: 'skip'; reason: string; retry: boolean }

const skip = (reason: string, retry = false): OracleDecision => ({ action: 'skip', reason, retry })

/** Whether a provider answers a request (pure). Cheap checks first; nothing here costs gas. */
export function decideAnswer(r: RequestView, a: AnswererView): OracleDecision {
  if (r.requester.toLowerCase() === a.me.toLowerCase())
    return skip('own request: a requester may not answer it')
  if (r.status !== 'open') return skip(`request is ${r.status}`)
  if (a.answered) return skip('already answered')
  if (BigInt(a.nowSeconds) > r.deadline) return skip('deadline passed')
  const share = r.fee / BigInt(Math.max(1, r.quorum))
  if (share < a.minFeePerAnswer)
    return skip(
      `fee share ${mutAmount(share)} MUT per answer is below this provider's ask of ${mutAmount(a.minFeePerAnswer)} MUT`,
    )
  if (a.stake < a.minStake || a.stake === 0n)
    return skip(
      `stake ${mutAmount(a.stake)} MUT is below the oracle's minimum ${mutAmount(a.minStake)} MUT (mutirao stake)`,
      true,
    )
  if (!a.hasModel)
    return skip(
      `model ${r.modelHash.slice(0, 12)}… is not held here (add it with mutirao node --oracle-model <file>)`,
      true,
    )
  return { action: 'answer' }
}

/** An accusation to file: one minority answer against two answers of the final output. */
export interface Accusation {
  accused: AnsweredEvent
  quorum: [AnsweredEvent, AnsweredEvent]
}

/**
 * The accusations a finalised request calls for, filed by its first backer only (so one deposit per
 * accused): every answer whose output differs from the final one, against the first two backers. Needs at
 * least two backers (DisputeResolver.MIN_QUORUM); a 1-of-n request leaves no quorum to accuse with.
 */
export function accusationsToFile(answers: readonly AnsweredEvent[], final: Hex, me: Address): Accusation[] {
  const backers = answers.filter((a) => a.outputHash === final)
  if (backers.length < 2 || backers[0].provider.toLowerCase() !== me.toLowerCase()) return []
  return answers
    .filter((a) => a.outputHash !== final)
    .map((accused) => ({ accused, quorum: [backers[0], backers[1]] }))
}
