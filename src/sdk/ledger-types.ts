import type { ActivityKind } from '../ledger/activity-actions.js'

/** What the SDK's ledger client returns: the node's `/v1/ledger/*` answers, amounts as decimal strings. */

/** `GET /v1/ledger/wallet`: the node's account on the chain (amounts as decimal strings of base units). */
export interface WalletInfo {
  address: string
  peerId: string
  registeredPeerId: string | null
  balance: string
  stake: string
  unbonding: { amount: string; unlockAt: string }
  pendingVouchers: {
    escrowJob: string
    requester: string
    pricePerUnit: string
    cumulativeUnits: string
    cumulativeAmount: string
    redeemed: string
    unredeemed: string
  }[]
  chain: { chainId: number; rpcUrl: string; embedded: boolean; deploymentsFile: string; deployments: object }
}

/** One `ContributionRecorded` event (amounts as decimal strings). */
export interface ContributionInfo {
  jobId: string
  provider: string
  units: string
  amount: string
  receiptsRoot: string
  cumulativeUnits: string
  blockNumber: string
  txHash: string
}

/** One event of `GET /v1/ledger/activity`: escrow jobs, payments, stakes, slashes, disputes (amounts as decimal strings). */
export interface ActivityInfo {
  kind: ActivityKind
  blockNumber: string
  /** Block time, unix seconds. */
  time: number
  txHash: string
  logIndex: number
  account: string
  counterparty?: string
  jobId?: string
  disputeId?: string
  amount?: string
  units?: string
  /** `staked`: the stake after it. */
  total?: string
  /** `unstake-requested`: unix seconds when it can be withdrawn. */
  unlockAt?: string
  /** `job-settled`: providers who released the job. */
  payees?: number
  /** `dispute-resolved`: upheld, reversed… */
  outcome?: string
}

/** `GET /v1/ledger/prove/:taskId`: a task receipt, its Merkle proof, and whether it verifies. */
export interface ReceiptProofInfo {
  taskId: string
  receipt: {
    jobId: string
    taskId: string
    provider: string
    units: string
    inputHash: string
    outputHash: string
  }
  root: string
  proof: string[]
  redemptionTx: string
  rootRecordedOnChain: boolean
  verifiedLocally: boolean
  verifiedOnChain: boolean
}

/** Ledger operations of a node (its own account). Amounts: decimal strings or bigints of base units. */
export interface LedgerClient {
  wallet(): Promise<WalletInfo>
  /** Local chain only: mint `amount` to the node's account. */
  faucet(amount: bigint | string): Promise<{ txHash: string; amount: string; balance: string }>
  /** Stake (registers the node's peer id first if needed). */
  stake(amount: bigint | string): Promise<{ txHash: string; registered: boolean; stake: string }>
  unstake(
    amount: bigint | string,
  ): Promise<{ txHash: string; stake: string; unbonding: { amount: string; unlockAt: string } }>
  withdraw(): Promise<{ txHash: string; balance: string }>
  contributions(filter?: { provider?: string; job?: bigint | string }): Promise<ContributionInfo[]>
  /** The chain's activity around Mutirão's contracts, newest first: every account's, or `'me'`, or one address's. */
  activity(filter?: { account?: string; limit?: number }): Promise<ActivityInfo[]>
  /** Provider: the most recent tasks covered by a redeemed voucher (provable with `prove`). */
  receipts(limit?: number): Promise<{ escrowJob: string; taskId: string; units: number }[]>
  prove(taskId: string): Promise<ReceiptProofInfo>
  /** Reclaim the unpaid rest of a job's escrow (after its deadline + redeem window). */
  reclaim(jobId: string): Promise<{ jobId: string; escrowJob: string; amount: string; txHash: string }>
}
