import { type Address, type Hash, type Hex, parseEventLogs, zeroHash } from 'viem'
import { jobEscrowAbi } from './abi/index.js'
import type { LedgerContext } from './context.js'
import { type ContractCalls, contractCalls } from './contract-calls.js'
import type { TaskReceipt } from './receipts.js'
import type { tokenActions } from './token-actions.js'
import { signVoucherWith, type Voucher } from './voucher.js'

/** Terms of a new escrow job. */
export interface OpenJobParams {
  /** Tokens locked for the job. */
  budget: bigint
  /** Tokens per accepted unit. */
  pricePerUnit: bigint
  /** Unix seconds; vouchers stay redeemable until deadline + redeemWindow. */
  deadline: bigint
  /** Reference to the job spec / agreement (default zero). */
  specHash?: Hex
  /** Use an EIP-2612 permit instead of approve (one transaction). Default: approve if needed. */
  permit?: boolean
}

/** A job as stored by the escrow. */
export interface JobInfo {
  jobId: bigint
  requester: Address
  deadline: bigint
  feeBps: number
  closed: boolean
  budget: bigint
  paid: bigint
  pricePerUnit: bigint
  /** Providers named payees (only they can be paid; closeJob needs a release from each). */
  payees: number
  /** Last second at which vouchers can be redeemed. */
  redeemableUntil: bigint
}

/** A recorded contribution (one `ContributionRecorded` event). */
export interface Contribution {
  jobId: bigint
  provider: Address
  units: bigint
  amount: bigint
  receiptsRoot: Hex
  cumulativeUnits: bigint
  blockNumber: bigint
  txHash: Hash
}

/** Read and write calls to the JobEscrow deployment of `ctx` (shared by the escrow action groups). */
export function escrowCalls(ctx: LedgerContext): { escrow: Address } & ContractCalls<typeof jobEscrowAbi> {
  const escrow = ctx.deployments.escrow
  return { escrow, ...contractCalls(ctx, escrow, jobEscrowAbi) }
}

/** Escrow operations of a ledger client. */
export function escrowActions(ctx: LedgerContext, token: ReturnType<typeof tokenActions>) {
  const { escrow, read, write } = escrowCalls(ctx)
  let redeemWindow: bigint | undefined

  return {
    /** Opens a job and locks its budget; returns the new job id. */
    async openJob(p: OpenJobParams): Promise<{ jobId: bigint; txHash: Hash }> {
      const spec = p.specHash ?? zeroHash
      let receipt: Awaited<ReturnType<typeof write>>
      if (p.permit) {
        const s = await token.signPermit(escrow, p.budget, p.deadline)
        receipt = await write('openJobWithPermit', [
          p.budget,
          p.pricePerUnit,
          p.deadline,
          spec,
          s.deadline,
          s.v,
          s.r,
          s.s,
        ])
      } else {
        if ((await token.allowance(ctx.account.address, escrow)) < p.budget)
          await token.approve(escrow, p.budget)
        receipt = await write('openJob', [p.budget, p.pricePerUnit, p.deadline, spec])
      }
      const [ev] = parseEventLogs({ abi: jobEscrowAbi, eventName: 'JobOpened', logs: receipt.logs })
      return { jobId: ev!.args.jobId, txHash: receipt.transactionHash }
    },

    /** The stored job. */
    async jobInfo(jobId: bigint): Promise<JobInfo> {
      redeemWindow ??= await read('redeemWindow', [])
      const j = await read('getJob', [jobId])
      return {
        jobId,
        ...j,
        payees: Number(j.payees),
        deadline: BigInt(j.deadline),
        redeemableUntil: BigInt(j.deadline) + redeemWindow,
      }
    },

    /** Units and amount last redeemed for (jobId, provider). */
    async redeemed(jobId: bigint, provider: Address): Promise<{ units: bigint; amount: bigint }> {
      const [units, amount] = await read('redeemed', [jobId, provider])
      return { units, amount }
    },

    /** The EIP-712 digest of a voucher as the contract computes it. */
    voucherDigest: (v: Voucher) => read('voucherDigest', [v]),

    /** Signs a voucher with this account (which must be the job's requester). */
    signVoucher: (v: Voucher): Promise<Hex> => signVoucherWith(ctx.account, v, escrow, ctx.chainId),

    /** Redeems a voucher; payment goes to voucher.provider whoever sends it. */
    async redeem(v: Voucher, signature: Hex): Promise<{ txHash: Hash; paid: bigint; gasUsed: bigint }> {
      const receipt = await write('redeem', [v, signature])
      const [ev] = parseEventLogs({
        abi: jobEscrowAbi,
        eventName: 'ContributionRecorded',
        logs: receipt.logs,
      })
      return { txHash: receipt.transactionHash, paid: ev!.args.amount, gasUsed: receipt.gasUsed }
    },

    /** Returns the unpaid rest of the budget to the requester (after deadline + redeemWindow). */
    async reclaim(jobId: bigint): Promise<{ txHash: Hash; amount: bigint }> {
      const receipt = await write('reclaim', [jobId])
      const [ev] = parseEventLogs({ abi: jobEscrowAbi, eventName: 'JobReclaimed', logs: receipt.logs })
      return { txHash: receipt.transactionHash, amount: ev!.args.amount }
    },

    /** Recorded contributions from the chain's events, optionally for one provider and/or job. */
    async contributions(filter: { provider?: Address; jobId?: bigint } = {}): Promise<Contribution[]> {
      const logs = await ctx.publicClient.getContractEvents({
        address: escrow,
        abi: jobEscrowAbi,
        eventName: 'ContributionRecorded',
        args: { jobId: filter.jobId, provider: filter.provider },
        fromBlock: ctx.deployments.fromBlock,
        toBlock: 'latest',
      })
      return logs.map((l) => ({
        ...l.args,
        blockNumber: l.blockNumber,
        txHash: l.transactionHash,
      })) as Contribution[]
    },

    /** Whether `receipt` is proven by `proof` under `root` and `root` was recorded on-chain for its job/provider. */
    verifyReceipt: (receipt: TaskReceipt, root: Hex, proof: readonly Hex[]) =>
      read('verifyTaskReceipt', [receipt, root, proof]),
  }
}
