import { peerIdFromString } from '@libp2p/peer-id'
import { type Address, type Hash, hexToString, stringToHex } from 'viem'
import { InvalidInputError } from '../errors.js'
import { providerRegistryAbi } from './abi/index.js'
import type { LedgerContext } from './context.js'
import { contractCalls } from './contract-calls.js'
import type { tokenActions } from './token-actions.js'

/** Registry (identity and stake) operations of a ledger client. */
export function registryActions(ctx: LedgerContext, token: ReturnType<typeof tokenActions>) {
  const registry = ctx.deployments.registry
  const calls = contractCalls(ctx, registry, providerRegistryAbi)
  const { read } = calls
  const write = async (...call: Parameters<typeof calls.write>): Promise<Hash> =>
    (await calls.write(...call)).transactionHash

  return {
    /** Binds this account to a libp2p peer id (stored as the UTF-8 bytes of its string form). */
    async register(peerId: string): Promise<Hash> {
      try {
        peerIdFromString(peerId)
      } catch (err) {
        throw new InvalidInputError(`Not a libp2p peer id: ${peerId.slice(0, 80)}`, { cause: err })
      }
      return write('register', [stringToHex(peerId)])
    },
    /** Stakes `amount` tokens (approving the registry first if needed). */
    async stake(amount: bigint): Promise<Hash> {
      if ((await token.allowance(ctx.account.address, registry)) < amount)
        await token.approve(registry, amount)
      return write('stake', [amount])
    },
    /** Moves `amount` of stake into unbonding. */
    requestUnstake: (amount: bigint) => write('requestUnstake', [amount]),
    /** Withdraws unbonded tokens after the delay. */
    withdraw: () => write('withdraw', []),
    /** Active stake of `addr` (default: this account). */
    stakeOf: (addr: Address = ctx.account.address) => read('stakeOf', [addr]),
    /** Unbonding amount of `addr` and when it unlocks (unix seconds). */
    async unbondingOf(addr: Address = ctx.account.address): Promise<{ amount: bigint; unlockAt: bigint }> {
      const [amount, unlockAt] = await read('unbondingOf', [addr])
      return { amount, unlockAt: BigInt(unlockAt) }
    },
    /** The peer id `addr` registered, or undefined. */
    async peerIdOf(addr: Address): Promise<string | undefined> {
      const hex = await read('peerIdOf', [addr])
      return hex === '0x' ? undefined : hexToString(hex)
    },
    /** The address bound to `peerId`, or undefined. */
    async providerOf(peerId: string): Promise<Address | undefined> {
      const a = await read('providerOf', [stringToHex(peerId)])
      return /^0x0{40}$/.test(a) ? undefined : a
    },
  }
}
