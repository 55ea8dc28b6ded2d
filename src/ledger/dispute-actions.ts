import { type Address, type Hash, type Hex, parseEventLogs } from 'viem'
import {
  disputeResolverAbi,
  disputeResolverBytecode,
  mutiraoTokenAbi,
  providerRegistryAbi,
} from './abi/index.js'
import type { LedgerContext } from './context.js'
import { contractCalls } from './contract-calls.js'
import { digestToBytes32, type TaskResultFields, taskIdToBytes32 } from './dispute-signing.js'

/** A provider's signed result, as evidence. */
export interface SignedTaskResult {
  provider: Address
  outputHash: string
  /** EIP-712 signature from {@link signTaskResult}. */
  signature: Hex
}

/** Lifecycle of a dispute (DisputeResolver.Status). */
export const DISPUTE_STATUS = ['none', 'open', 'appealed', 'upheld', 'reversed'] as const
export type DisputeStatus = (typeof DISPUTE_STATUS)[number]

/** Parameters of a DisputeResolver deployment. */
export interface DisputeResolverParams {
  /** Tokens the accuser locks per dispute (lost to the accused when an appeal succeeds). */
  deposit: bigint
  appealWindowSeconds: bigint
  voteWindowSeconds: bigint
  minRefereeStake: bigint
}

/**
 * Deploy a DisputeResolver for the context's registry and token, and grant it SLASHER_ROLE (the context's
 * account must be the registry admin — on a local chain, the deployer).
 */
export async function deployDisputeResolver(ctx: LedgerContext, p: DisputeResolverParams): Promise<Address> {
  const { registry, token } = ctx.deployments
  const hash = await ctx.walletClient.deployContract({
    abi: disputeResolverAbi,
    bytecode: disputeResolverBytecode,
    args: [registry, token, p.deposit, p.appealWindowSeconds, p.voteWindowSeconds, p.minRefereeStake],
    account: ctx.account,
    chain: ctx.walletClient.chain,
  })
  const receipt = await ctx.publicClient.waitForTransactionReceipt({ hash })
  const resolver = receipt.contractAddress!
  const calls = contractCalls(ctx, registry, providerRegistryAbi)
  await calls.write('grantRole', [await calls.read('SLASHER_ROLE', []), resolver])
  return resolver
}

/** Dispute operations against the DisputeResolver at `resolver`, as the context's account. */
export function disputeActions(ctx: LedgerContext, resolver: Address) {
  const { read, write } = contractCalls(ctx, resolver, disputeResolverAbi)
  const token = contractCalls(ctx, ctx.deployments.token, mutiraoTokenAbi)
  const evidence = (r: SignedTaskResult) => ({
    provider: r.provider,
    outputHash: digestToBytes32(r.outputHash),
    signature: r.signature,
  })
  async function accuseBytes32(
    taskId: Hex,
    inputHash: Hex,
    accused: SignedTaskResult,
    quorum: SignedTaskResult[],
  ): Promise<bigint> {
    await token.write('approve', [resolver, await read('deposit', [])])
    const receipt = await write('accuse', [taskId, inputHash, evidence(accused), quorum.map(evidence)])
    const [log] = parseEventLogs({ abi: disputeResolverAbi, logs: receipt.logs, eventName: 'Accused' })
    return log.args.disputeId
  }
  return {
    /**
     * Accuse `accused` of a wrong result for the task, with the quorum's conflicting signed results.
     * Approves and locks the deposit; returns the dispute id.
     */
    accuse: (
      task: Omit<TaskResultFields, 'outputHash'>,
      accused: SignedTaskResult,
      quorum: SignedTaskResult[],
    ): Promise<bigint> =>
      accuseBytes32(taskIdToBytes32(task.taskId), digestToBytes32(task.inputHash), accused, quorum),
    /** {@link accuse} with the task id and input hash as signed (bytes32), e.g. an oracle request's. */
    accuseBytes32,
    /** The accused asks for re-execution by drawn referees. */
    appeal: async (id: bigint): Promise<Hash> => (await write('appeal', [id])).transactionHash,
    /** A drawn referee reports the output hash (sha256 hex) it computed by re-executing the task. */
    vote: async (id: bigint, outputHash: string): Promise<Hash> =>
      (await write('vote', [id, digestToBytes32(outputHash)])).transactionHash,
    /** Settle a dispute whose window has passed (or whose panel has voted). */
    resolve: async (id: bigint): Promise<Hash> => (await write('resolve', [id])).transactionHash,
    /** Sign up as a referee (needs the registry's minimum referee stake). */
    registerReferee: async (): Promise<Hash> => (await write('registerReferee', [])).transactionHash,
    /** State, parties and panel of a dispute. */
    async disputeOf(id: bigint) {
      const d = await read('disputeOf', [id])
      return { ...d, status: DISPUTE_STATUS[d.status] }
    },
  }
}

/** The dispute operations of a ledger. */
export type DisputeActions = ReturnType<typeof disputeActions>
