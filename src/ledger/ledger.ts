import type { Address, Hex } from 'viem'
import { activityActions } from './activity-actions.js'
import { createLedgerContext } from './context.js'
import type { Deployments } from './deployments-schema.js'
import { disputeActions } from './dispute-actions.js'
import { escrowActions } from './escrow-actions.js'
import { escrowCloseActions } from './escrow-close-actions.js'
import { lineageActions } from './lineage-actions.js'
import { oracleActions } from './oracle-actions.js'
import { registryActions } from './registry-actions.js'
import { tokenActions } from './token-actions.js'

/** Options of {@link createLedger}. */
export interface CreateLedgerOptions {
  /** JSON-RPC URL of the chain (the embedded anvil or any EVM chain). */
  rpcUrl: string
  /** Key of this node's account (it signs vouchers as requester and sends transactions). */
  privateKey: Hex
  /** Contract addresses (from ensureDeployed or readDeployments). */
  deployments: Deployments
}

/** A ledger client: token, escrow and registry operations for one account. All amounts are bigint. */
export type Ledger = {
  /** This account's address. */
  address: Address
  /** Chain id. */
  chainId: number
  /** The contract addresses used. */
  deployments: Deployments
  /** Dispute operations, when the deployments include a DisputeResolver. */
  disputes?: ReturnType<typeof disputeActions>
  /** Inference oracle operations, when the deployments include an InferenceOracle. */
  oracle?: ReturnType<typeof oracleActions>
} & ReturnType<typeof tokenActions> &
  ReturnType<typeof escrowActions> &
  ReturnType<typeof escrowCloseActions> &
  ReturnType<typeof registryActions> &
  ReturnType<typeof lineageActions> &
  ReturnType<typeof activityActions>

/**
 * Creates a ledger client for one account.
 * @example
 * const ledger = await createLedger({ rpcUrl, privateKey, deployments })
 * const { jobId } = await ledger.openJob({ budget: 1000n, pricePerUnit: 1n, deadline })
 * const sig = await ledger.signVoucher({ jobId, provider, cumulativeUnits: 10n, cumulativeAmount: 10n, receiptsRoot })
 */
export async function createLedger(options: CreateLedgerOptions): Promise<Ledger> {
  const ctx = await createLedgerContext(options.rpcUrl, options.privateKey, options.deployments)
  const token = tokenActions(ctx)
  return {
    address: ctx.account.address,
    chainId: ctx.chainId,
    deployments: ctx.deployments,
    ...(ctx.deployments.disputeResolver
      ? { disputes: disputeActions(ctx, ctx.deployments.disputeResolver) }
      : {}),
    ...(ctx.deployments.oracle ? { oracle: oracleActions(ctx, ctx.deployments.oracle) } : {}),
    ...token,
    ...escrowActions(ctx, token),
    ...escrowCloseActions(ctx),
    ...registryActions(ctx, token),
    ...lineageActions(ctx),
    ...activityActions(ctx),
  }
}
