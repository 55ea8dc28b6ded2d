import { keccak_256 } from '@noble/hashes/sha3.js'
import type { Hex } from 'viem'

/**
 * The root of OpenZeppelin's `SimpleMerkleTree.of(leaves)` (default options): leaves sorted as unsigned
 * 256-bit numbers, laid out right to left at the end of a `2n − 1` array, and every inner node
 * `keccak256(min(a, b) ‖ max(a, b))`. Same bytes, computed on raw buffers: no per-leaf ABI re-encoding or
 * hex round trips (the library spends ~30× longer on those than on hashing). Throws on a leaf that is not
 * 32 bytes of hex; the root of no leaves is the zero hash.
 */
export function sortedPairMerkleRoot(leaves: readonly Hex[]): Hex {
  const n = leaves.length
  if (n === 0) return `0x${'0'.repeat(64)}`
  const sorted = leaves.map(leafBytes).sort(Buffer.compare)
  const tree: Buffer[] = new Array(2 * n - 1)
  for (let i = 0; i < n; i++) tree[tree.length - 1 - i] = sorted[i]
  const pair = Buffer.allocUnsafe(64)
  for (let i = tree.length - 1 - n; i >= 0; i--) {
    const a = tree[2 * i + 1]
    const b = tree[2 * i + 2]
    const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]
    lo.copy(pair, 0)
    hi.copy(pair, 32)
    const h = keccak_256(pair)
    tree[i] = Buffer.from(h.buffer, h.byteOffset, h.byteLength)
  }
  return `0x${tree[0].toString('hex')}`
}

function leafBytes(leaf: Hex): Buffer {
  if (!/^0x[0-9a-fA-F]{64}$/.test(leaf)) throw new RangeError(`Merkle leaf is not 32 bytes of hex: ${leaf}`)
  return Buffer.from(leaf.slice(2), 'hex')
}
