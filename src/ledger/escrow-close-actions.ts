import { type Address, type Hash, type Hex, parseEventLogs } from 'viem'
import { jobEscrowAbi } from './abi/index.js'
import type { LedgerContext } from './context.js'
import { escrowCalls } from './escrow-actions.js'
import { type Release, releaseRequestText, signReleaseWith } from './release.js'

/** A release with the provider's signature, as the requester collects them. */
export interface SignedRelease {
  release: Release
  signature: Hex
}

/** Outcome of `closeJob`. */
export interface JobSettlement {
  txHash: Hash
  /** Tokens returned to the requester. */
  refund: bigint
  /** Tokens paid to providers by this transaction (their releases above what they had redeemed). */
  paid: bigint
  /** Payees settled. */
  payees: number
}

/**
 * Early settlement of escrow jobs: the requester names the providers it works with (payees), collects
 * one signed release from each at the end, and closes the job, which pays what the releases add over
 * the providers' redemptions and refunds the rest at once (no wait for deadline + redeemWindow).
 */
export function escrowCloseActions(ctx: LedgerContext) {
  const { escrow, read, write } = escrowCalls(ctx)

  return {
    /** Adds providers as payees of a job (requester only, before its deadline); duplicates are skipped. */
    async addPayees(
      jobId: bigint,
      providers: readonly Address[],
    ): Promise<{ txHash: Hash; added: Address[] }> {
      const receipt = await write('addPayees', [jobId, providers])
      const evs = parseEventLogs({ abi: jobEscrowAbi, eventName: 'PayeeAdded', logs: receipt.logs })
      return { txHash: receipt.transactionHash, added: evs.map((e) => e.args.provider) }
    },

    /** Whether `provider` may be paid by the job (vouchers and releases). */
    isPayee: (jobId: bigint, provider: Address) => read('isPayee', [jobId, provider]),

    /** Signs a release with this account (which must be the provider it names). */
    signRelease: (r: Release): Promise<Hex> => signReleaseWith(ctx.account, r, escrow, ctx.chainId),

    /** Signs a request for `provider`'s release of a job (the requester proves it owns the job). */
    signReleaseRequest: (r: { jobId: bigint; provider: Address; expires: number }): Promise<Hex> =>
      ctx.account.signMessage({ message: releaseRequestText(r, escrow, ctx.chainId) }),

    /** The EIP-712 digest of a release as the contract computes it. */
    releaseDigest: (r: Release) => read('releaseDigest', [r]),

    /**
     * Closes a job with one signed release per payee (any order; sorted here as the contract requires).
     * Pays each payee its release above what it redeemed and refunds the unspent budget to the requester.
     */
    async closeJob(jobId: bigint, releases: readonly SignedRelease[]): Promise<JobSettlement> {
      const sorted = [...releases].sort((a, b) =>
        BigInt(a.release.provider) < BigInt(b.release.provider) ? -1 : 1,
      )
      const receipt = await write('closeJob', [
        jobId,
        sorted.map((s) => s.release),
        sorted.map((s) => s.signature),
      ])
      const [settled] = parseEventLogs({ abi: jobEscrowAbi, eventName: 'JobSettled', logs: receipt.logs })
      const paid = parseEventLogs({
        abi: jobEscrowAbi,
        eventName: 'ContributionRecorded',
        logs: receipt.logs,
      })
        .map((e) => e.args.amount)
        .reduce((a, b) => a + b, 0n)
      return {
        txHash: receipt.transactionHash,
        refund: settled!.args.refund,
        paid,
        payees: Number(settled!.args.payees),
      }
    },
  }
}
