import { type Address, type Hash, type Hex, parseEther, parseSignature } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { mutiraoTokenAbi } from './abi/index.js'
import type { LedgerContext } from './context.js'
import { contractCalls } from './contract-calls.js'
import { withDecodedErrors } from './decode-error.js'
import { NotLocalChainError } from './errors.js'

/** Anvil's first default account: it deploys the contracts on the embedded chain and holds MINTER_ROLE. */
export const ANVIL_FAUCET_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const LOCAL_CHAIN_IDS = new Set([31337, 1337])

/** An EIP-2612 permit signature split for the contract call. */
export interface PermitSignature {
  value: bigint
  deadline: bigint
  v: number
  r: Hex
  s: Hex
}

/** Token operations of a ledger client. */
export function tokenActions(ctx: LedgerContext) {
  const token = ctx.deployments.token
  const { read } = contractCalls(ctx, token, mutiraoTokenAbi)

  const balanceOf = (addr: Address) => read('balanceOf', [addr])

  /** Signs an EIP-2612 permit letting `spender` move `value` of the caller's tokens until `deadline`. */
  async function signPermit(spender: Address, value: bigint, deadline: bigint): Promise<PermitSignature> {
    const nonce = await read('nonces', [ctx.account.address])
    const signature = await ctx.account.signTypedData({
      domain: { name: 'Mutirao', version: '1', chainId: ctx.chainId, verifyingContract: token },
      types: {
        Permit: [
          { name: 'owner', type: 'address' },
          { name: 'spender', type: 'address' },
          { name: 'value', type: 'uint256' },
          { name: 'nonce', type: 'uint256' },
          { name: 'deadline', type: 'uint256' },
        ],
      },
      primaryType: 'Permit',
      message: { owner: ctx.account.address, spender, value, nonce, deadline },
    })
    const { v, r, s, yParity } = parseSignature(signature)
    return { value, deadline, v: Number(v ?? BigInt(yParity + 27)), r, s }
  }

  return {
    /** Token balance of this account. */
    balance: () => balanceOf(ctx.account.address),
    /** Token balance of `addr`. */
    balanceOf,
    /** Allowance `owner` gave `spender`. */
    allowance: (owner: Address, spender: Address) => read('allowance', [owner, spender]),
    /** Approves `spender` for `amount`. */
    async approve(spender: Address, amount: bigint): Promise<Hash> {
      const r = await ctx.write({
        address: token,
        abi: mutiraoTokenAbi,
        functionName: 'approve',
        args: [spender, amount],
      })
      return r.transactionHash
    },
    signPermit,
    /** Signs and submits a permit for `spender` (an approve without a separate signature flow). */
    async permit(spender: Address, amount: bigint, deadline: bigint): Promise<Hash> {
      const p = await signPermit(spender, amount, deadline)
      const r = await ctx.write({
        address: token,
        abi: mutiraoTokenAbi,
        functionName: 'permit',
        args: [ctx.account.address, spender, amount, deadline, p.v, p.r, p.s],
      })
      return r.transactionHash
    },
    /**
     * Local chain only: mints `amount` tokens to `to` from the minter account (`faucetKey`, default anvil's
     * first account) and tops up `to` with 10 ETH for gas if it has less than 1 ETH.
     */
    async faucet(to: Address, amount: bigint, faucetKey: Hex = ANVIL_FAUCET_KEY): Promise<Hash> {
      if (!LOCAL_CHAIN_IDS.has(ctx.chainId)) {
        throw new NotLocalChainError(
          `The faucet works only on a local chain (this is chain ${ctx.chainId})`,
          {
            metaMessages: ['On a public chain, get tokens from another holder.'],
          },
        )
      }
      const eth = await ctx.publicClient.getBalance({ address: to })
      if (eth < parseEther('1')) {
        await ctx.publicClient.request({
          method: 'anvil_setBalance' as never,
          params: [to, `0x${parseEther('10').toString(16)}`] as never,
        })
      }
      const minter = privateKeyToAccount(faucetKey)
      return withDecodedErrors(async () => {
        const hash = await ctx.walletClient.writeContract({
          account: minter,
          chain: ctx.walletClient.chain,
          address: token,
          abi: mutiraoTokenAbi,
          functionName: 'mint',
          args: [to, amount],
        })
        await ctx.publicClient.waitForTransactionReceipt({ hash })
        return hash
      })
    },
  }
}
