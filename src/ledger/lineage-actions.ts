import { type Address, type Hash, type Hex, zeroAddress, zeroHash } from 'viem'
import { InvalidInputError } from '../errors.js'
import { lineageRegistryAbi } from './abi/index.js'
import type { LedgerContext } from './context.js'
import { LedgerRevertError } from './errors.js'
import {
  InvalidLineageAnchorError,
  LineageAlreadyAnchoredError,
  LineageRegistryMissingError,
} from './lineage-errors.js'

/** A lineage anchored on-chain (one `LineageRegistry` record). */
export interface LineageRecord {
  /** Lineage root (bytes32). */
  root: Hex
  /** Address that anchored it. */
  owner: Address
  /** Block time of the anchor (unix seconds). */
  anchoredAt: bigint
}

/** A 32-byte hash given as 64 hex digits, with or without `0x`, as bytes32. */
export function toBytes32(hash: string, what: string): Hex {
  const h = hash.startsWith('0x') ? hash.slice(2) : hash
  if (!/^[0-9a-fA-F]{64}$/.test(h)) {
    throw new InvalidInputError(
      `${what} must be 32 bytes (64 hex digits), got ${JSON.stringify(hash.slice(0, 80))}`,
    )
  }
  return `0x${h.toLowerCase()}`
}

/** Model-lineage operations of a ledger client (the `LineageRegistry` contract). */
export function lineageActions(ctx: LedgerContext) {
  const registry = (): Address => {
    const a = ctx.deployments.lineage
    if (!a) {
      throw new LineageRegistryMissingError('No LineageRegistry in the deployments in use', {
        metaMessages: [
          'Redeploy with ensureDeployed (it adds one) or add `lineage` to the deployments file.',
        ],
      })
    }
    return a
  }

  return {
    /**
     * Anchors `root` as the lineage of `modelHash` (write-once; the sender becomes the owner).
     * Hashes are 32-byte hex (the lineage's SHA-256 hex strings work as they are).
     */
    async anchorLineage(modelHash: string, root: string, uri = ''): Promise<{ txHash: Hash }> {
      const args = [toBytes32(modelHash, 'modelHash'), toBytes32(root, 'lineage root'), uri] as const
      try {
        const receipt = await ctx.write({
          address: registry(),
          abi: lineageRegistryAbi,
          functionName: 'anchor',
          args,
        })
        return { txHash: receipt.transactionHash }
      } catch (err) {
        if (!(err instanceof LedgerRevertError)) throw err
        const o = { errorName: err.errorName, args: err.args, cause: err }
        if (err.errorName === 'AlreadyAnchored') {
          throw new LineageAlreadyAnchoredError(
            `Model ${args[0]} already has lineage root ${String(err.args[1])}`,
            {
              ...o,
              metaMessages: [`Anchors are write-once; it was anchored by ${String(err.args[2])}.`],
            },
          )
        }
        if (err.errorName === 'ZeroHash' || err.errorName === 'UriTooLong') {
          throw new InvalidLineageAnchorError(`Lineage registry rejected the anchor: ${err.errorName}`, {
            ...o,
            metaMessages: ['Model hash and root must be non-zero; the URI at most 512 bytes.'],
          })
        }
        throw err
      }
    },

    /** The anchored lineage of `modelHash`, or undefined when none is recorded. */
    async lineageOf(modelHash: string): Promise<LineageRecord | undefined> {
      const a = await ctx.publicClient.readContract({
        address: registry(),
        abi: lineageRegistryAbi,
        functionName: 'anchorOf',
        args: [toBytes32(modelHash, 'modelHash')],
      })
      if (a.root === zeroHash && a.owner === zeroAddress) return undefined
      return { root: a.root, owner: a.owner, anchoredAt: BigInt(a.anchoredAt) }
    },
  }
}
