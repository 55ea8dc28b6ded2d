import {
  type Address,
  encodeAbiParameters,
  getAddress,
  type Hash,
  type Hex,
  keccak256,
  type LocalAccount,
  parseEventLogs,
} from 'viem'
import {
  inferenceOracleAbi,
  inferenceOracleBytecode,
  mutiraoTokenAbi,
  providerRegistryAbi,
} from './abi/index.js'
import type { LedgerContext } from './context.js'
import { contractCalls } from './contract-calls.js'
import { TASK_RESULT_TYPES } from './dispute-signing.js'

/** Lifecycle of an oracle request (InferenceOracle.Status). */
export const ORACLE_STATUS = ['none', 'open', 'finalized', 'no-consensus', 'expired'] as const
export type OracleStatus = (typeof ORACLE_STATUS)[number]

/** What a requester asks the oracle. */
export interface OracleRequestParams {
  /** sha256 of the ONNX model bytes (hex, the blob hash the network uses). */
  modelHash: Hex
  /** The input: the model's named tensors in Mutirão's tensor encoding (src/exec/tensor-codec.ts). */
  input: Hex
  /** Answers are round(value × 10^decimals) as int256 (0–18). */
  decimals: number
  /** Identical answers needed (k) and most answers taken (n). */
  quorum: number
  maxAnswers: number
  /** Tokens (base units) shared by the k answerers. */
  fee: bigint
  /** Unix seconds. */
  deadline: bigint
  /** Gas for the requester's callback (0: none). */
  callbackGas?: number
}

/** A request as the contract stores it. */
export interface OracleRequest {
  id: bigint
  requester: Address
  status: OracleStatus
  quorum: number
  maxAnswers: number
  answers: number
  decimals: number
  deadline: bigint
  fee: bigint
  specHash: Hex
  answer: Hex
  /** Gas the consumer's callback gets on finalisation (0: none). */
  callbackGas: number
}

/**
 * The gas limit of an answer that may finalise `request`: the answer itself with the payout to each of the
 * quorum's backers and the Finalized event (≤ 400k measured with margin: bench:oracle), plus the callback's
 * gas and the 1/63 the contract keeps back for it. Unused gas is not paid for.
 */
export function answerGasLimit(request: Pick<OracleRequest, 'quorum' | 'callbackGas'>): bigint {
  const callback = BigInt(request.callbackGas)
  return 400_000n + 40_000n * BigInt(request.quorum) + callback + callback / 63n + 10_000n
}

/** One `Requested` event: a request and its input bytes. */
export interface RequestedEvent {
  id: bigint
  requester: Address
  modelHash: Hex
  input: Hex
  decimals: number
  quorum: number
  maxAnswers: number
  fee: bigint
  deadline: bigint
  blockNumber: bigint
}

/** One `Answered` event: a provider's signed answer (dispute evidence when it loses). */
export interface AnsweredEvent {
  id: bigint
  provider: Address
  outputHash: Hex
  signature: Hex
}

/** The TaskResult.taskId answers to request `id` of `oracle` sign. */
export const oracleTaskId = (oracle: Address, id: bigint): Hex =>
  keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [oracle, id]))

/** What answers sign as TaskResult.inputHash: keccak256(abi.encode(modelHash, inputHash, decimals)). */
export const oracleSpecHash = (modelHash: Hex, inputHash: Hex, decimals: number): Hex =>
  keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint8' }],
      [modelHash, inputHash, decimals],
    ),
  )

/** Sign an answer (EIP-712 TaskResult in the DisputeResolver's domain, as the oracle checks it). */
export function signOracleAnswer(
  account: LocalAccount,
  a: { taskId: Hex; specHash: Hex; output: Hex },
  resolver: Address,
  chainId: number,
): Promise<Hex> {
  return account.signTypedData({
    domain: { name: 'MutiraoDisputes', version: '1', chainId, verifyingContract: resolver },
    types: TASK_RESULT_TYPES,
    primaryType: 'TaskResult',
    message: { taskId: a.taskId, inputHash: a.specHash, outputHash: keccak256(a.output) },
  })
}

/**
 * Deploy an InferenceOracle for the context's token, registry and resolver and grant it SLASHER_ROLE
 * (for equivocation; the context's account must be the registry admin — on a local chain, the deployer).
 */
export async function deployInferenceOracle(ctx: LedgerContext, minStake: bigint): Promise<Address> {
  const { registry, token, disputeResolver } = ctx.deployments
  if (!disputeResolver) throw new Error('the oracle needs a DisputeResolver deployment')
  const hash = await ctx.walletClient.deployContract({
    abi: inferenceOracleAbi,
    bytecode: inferenceOracleBytecode,
    args: [token, registry, disputeResolver, minStake],
    account: ctx.account,
    chain: ctx.walletClient.chain,
  })
  const oracle = (await ctx.publicClient.waitForTransactionReceipt({ hash })).contractAddress!
  const calls = contractCalls(ctx, registry, providerRegistryAbi)
  await calls.write('grantRole', [await calls.read('SLASHER_ROLE', []), oracle])
  return getAddress(oracle)
}

/** Oracle operations against the InferenceOracle at `oracle`, as the context's account. */
export function oracleActions(ctx: LedgerContext, oracle: Address) {
  const { write } = contractCalls(ctx, oracle, inferenceOracleAbi)
  const token = contractCalls(ctx, ctx.deployments.token, mutiraoTokenAbi)
  const contract = { address: oracle, abi: inferenceOracleAbi } as const
  const pub = ctx.publicClient
  return {
    address: oracle,
    /** Post a request (approves the fee first); returns its id. */
    async request(p: OracleRequestParams): Promise<bigint> {
      if (p.fee > 0n) await token.write('approve', [oracle, p.fee])
      const receipt = await write('request', [
        p.modelHash,
        p.input,
        p.decimals,
        p.quorum,
        p.maxAnswers,
        p.fee,
        p.deadline,
        p.callbackGas ?? 0,
      ])
      const [log] = parseEventLogs({ abi: inferenceOracleAbi, logs: receipt.logs, eventName: 'Requested' })
      return log.args.id
    },
    /**
     * Submit this account's signed answer, with a gas limit that covers finalising the request (payouts and
     * the consumer's callback): an answer estimated while others were still missing may be the one that
     * completes the quorum by the time it is mined, and an estimate for a plain answer would run out of gas.
     */
    answer: async (id: bigint, output: Hex, signature: Hex, request?: OracleRequest): Promise<Hash> =>
      (
        await write(
          'answer',
          [id, ctx.account.address, output, signature],
          request ? { gas: answerGasLimit(request) } : {},
        )
      ).transactionHash,
    /** Refund a request that missed its deadline. */
    refund: async (id: bigint): Promise<Hash> => (await write('refund', [id])).transactionHash,
    /** Slash a provider that signed two outputs for one request. */
    slashEquivocation: async (
      id: bigint,
      provider: Address,
      a: { outputHash: Hex; signature: Hex },
      b: { outputHash: Hex; signature: Hex },
    ): Promise<Hash> =>
      (await write('slashEquivocation', [id, provider, a.outputHash, a.signature, b.outputHash, b.signature]))
        .transactionHash,
    async requestOf(id: bigint): Promise<OracleRequest> {
      const r = await pub.readContract({ ...contract, functionName: 'requestOf', args: [id] })
      return { ...r, id, status: ORACLE_STATUS[r.status] }
    },
    /** The final output of request `id` (from its `Finalized` event); undefined until finalised. */
    async outputOf(id: bigint): Promise<Hex | undefined> {
      const [log] = await ctx.publicClient.getContractEvents({
        address: oracle,
        abi: inferenceOracleAbi,
        eventName: 'Finalized',
        args: { id },
        fromBlock: ctx.deployments.fromBlock,
      })
      return log?.args.output
    },
    answerOf: (id: bigint, provider: Address): Promise<Hex> =>
      pub.readContract({ ...contract, functionName: 'answerOf', args: [id, provider] }),
    backersOf: (id: bigint, outputHash: Hex): Promise<readonly Address[]> =>
      pub.readContract({ ...contract, functionName: 'backersOf', args: [id, outputHash] }),
    minStake: (): Promise<bigint> => pub.readContract({ ...contract, functionName: 'minStake' }),
    taskIdOf: (id: bigint) => oracleTaskId(oracle, id),
    /** `Requested` events in [fromBlock, toBlock]. */
    async requestedEvents(fromBlock: bigint, toBlock: bigint): Promise<RequestedEvent[]> {
      const logs = await ctx.publicClient.getContractEvents({
        address: oracle,
        abi: inferenceOracleAbi,
        eventName: 'Requested',
        fromBlock,
        toBlock,
      })
      return logs.map((l) => ({ ...l.args, blockNumber: l.blockNumber }) as RequestedEvent)
    },
    /** `Answered` events of request `id`. */
    async answeredEvents(id: bigint, fromBlock: bigint): Promise<AnsweredEvent[]> {
      const logs = await ctx.publicClient.getContractEvents({
        address: oracle,
        abi: inferenceOracleAbi,
        eventName: 'Answered',
        args: { id },
        fromBlock,
      })
      return logs.map((l) => l.args as AnsweredEvent)
    },
    /** Ids of requests finalised in [fromBlock, toBlock]. */
    async finalizedIds(fromBlock: bigint, toBlock: bigint): Promise<bigint[]> {
      const logs = await ctx.publicClient.getContractEvents({
        address: oracle,
        abi: inferenceOracleAbi,
        eventName: 'Finalized',
        fromBlock,
        toBlock,
      })
      return logs.map((l) => l.args.id!)
    },
    blockNumber: () => ctx.publicClient.getBlockNumber(),
  }
}

/** The oracle operations of a ledger. */
export type OracleActions = ReturnType<typeof oracleActions>
