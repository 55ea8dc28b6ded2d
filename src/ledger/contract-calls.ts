import type {
  Abi,
  Address,
  ContractFunctionArgs,
  ContractFunctionName,
  ContractFunctionReturnType,
  TransactionReceipt,
} from 'viem'
import type { LedgerContext } from './context.js'

type Reads = 'view' | 'pure'
type Writes = 'nonpayable' | 'payable'

/**
 * Typed calls to one contract of a ledger context: function names, arguments and results come from the
 * generated `as const` ABI, so renaming or changing a Solidity function breaks the build.
 * @example
 * const { read, write } = contractCalls(ctx, ctx.deployments.escrow, jobEscrowAbi)
 * const window = await read('redeemWindow', []) // bigint
 */
export function contractCalls<const A extends Abi>(ctx: LedgerContext, address: Address, abi: A) {
  return {
    read: <F extends ContractFunctionName<A, Reads>>(
      functionName: F,
      args: ContractFunctionArgs<A, Reads, F>,
    ): Promise<ContractFunctionReturnType<A, Reads, F>> =>
      ctx.publicClient.readContract({ address, abi, functionName, args } as never) as never,
    write: <F extends ContractFunctionName<A, Writes>>(
      functionName: F,
      args: ContractFunctionArgs<A, Writes, F>,
      options: { gas?: bigint } = {},
    ): Promise<TransactionReceipt> => ctx.write({ address, abi, functionName, args, ...options } as never),
  }
}

/** What {@link contractCalls} returns for an ABI. */
export type ContractCalls<A extends Abi> = ReturnType<typeof contractCalls<A>>
