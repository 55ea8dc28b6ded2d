import {
  type Abi,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  createPublicClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type PrivateKeyAccount,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { withDecodedErrors } from './decode-error.js'
import type { Deployments } from './deployments-schema.js'
import { LedgerRevertError } from './errors.js'

/** A viem chain definition for any EVM chain reached at `rpcUrl`. */
export function chainFor(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'anvil' : `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/** What the ledger actions share: clients, the signing account and the contract addresses. */
export interface LedgerContext {
  rpcUrl: string
  chainId: number
  account: PrivateKeyAccount
  publicClient: PublicClient
  walletClient: WalletClient
  deployments: Deployments
  /**
   * Simulates, sends and waits for a contract call; reverts become decoded ledger errors. Serialised. The
   * function name and arguments are checked against the (generated, `as const`) ABI at compile time.
   */
  write<const A extends Abi, F extends ContractFunctionName<A, 'nonpayable' | 'payable'>>(call: {
    address: Hex
    abi: A
    functionName: F
    args: ContractFunctionArgs<A, 'nonpayable' | 'payable', F>
    /** Gas limit; absent: estimated against the state when sent. */
    gas?: bigint
  }): Promise<TransactionReceipt>
}

/** Builds the shared context of a ledger client. */
export async function createLedgerContext(
  rpcUrl: string,
  privateKey: Hex,
  deployments: Deployments,
): Promise<LedgerContext> {
  const transport = http(rpcUrl)
  const account = privateKeyToAccount(privateKey)
  const probe = createPublicClient({ transport })
  const chainId = await probe.getChainId()
  const chain = chainFor(chainId, rpcUrl)
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient
  const walletClient = createWalletClient({ account, chain, transport })
  let queue: Promise<unknown> = Promise.resolve()

  const write: LedgerContext['write'] = (call) => {
    const run = () =>
      withDecodedErrors(async () => {
        const { request } = await publicClient.simulateContract({ ...call, account } as never)
        const hash = await walletClient.writeContract(request as never)
        const receipt = await publicClient.waitForTransactionReceipt({ hash })
        if (receipt.status !== 'success') {
          throw new LedgerRevertError(`Transaction ${hash} (${call.functionName}) reverted`, {
            errorName: 'unknown',
            args: [],
          })
        }
        return receipt
      })
    const result = queue.then(run, run)
    queue = result.catch(() => undefined)
    return result
  }
  return { rpcUrl, chainId, account, publicClient, walletClient, deployments, write }
}
