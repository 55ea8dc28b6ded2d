/** A dispute the requester considered for an outvoted result (`progress.verification.disputes`). */
export interface DisputeRecord {
  shard: number
  /** Peer id and Ethereum address of the outvoted provider. */
  accused: string
  accusedEth: string
  /** Ethereum addresses of the quorum signers whose identical signed output is the evidence. */
  verifiers: string[]
  /** `filing` until the transaction is mined; `skipped` when no accusation is possible (see `reason`). */
  status: 'filing' | 'filed' | 'failed' | 'skipped'
  /** On-chain dispute id once filed. */
  disputeId?: string
  reason?: string
}
