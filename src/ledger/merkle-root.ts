import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Hex } from 'viem'
import { keccak256Bytes } from './keccak.js'

const ZERO_ROOT: Hex = `0x${'0'.repeat(64)}`

/**
 * The root of OpenZeppelin's `SimpleMerkleTree.of(leaves)` (default options): leaves sorted as unsigned
 * 256-bit numbers, laid out right to left at the end of a `2n − 1` array, and every inner node
 * `keccak256(min(a, b) ‖ max(a, b))`. Same bytes, computed on raw buffers: no per-leaf ABI re-encoding or
 * hex round trips (the library spends ~30× longer on those than on hashing). Rejects a leaf that is not
 * 32 bytes of hex; the root of no leaves is the zero hash.
 *
 * Gives the event loop a turn every `sliceMs` of hashing: a receipts tree is re-hashed whole for every
 * voucher (its leaves are sorted, so it cannot be updated in place): 12–20 ms for 2,000 receipts here, more in
 * parsing and sorting the leaves than in hashing them (WebAssembly keccak, 1.5–1.8 µs a pair), which must not
 * hold up the tasks a node is serving meanwhile.
 */
export async function sortedPairMerkleRoot(leaves: readonly Hex[], sliceMs = 2): Promise<Hex> {
  const tree = layOut(leaves)
  if (!tree) return ZERO_ROOT
  let sliceEnd = performance.now() + sliceMs
  for (let i = tree.length - 1 - leaves.length; i >= 0; i--) {
    tree[i] = hashPair(tree, i)
    // checking the clock every 64 hashes keeps its cost out of the loop
    if ((i & 63) === 0 && performance.now() > sliceEnd) {
      await nextTurn()
      sliceEnd = performance.now() + sliceMs
    }
  }
  return `0x${tree[0].toString('hex')}`
}

/** The tree array with its leaves in place (sorted, right to left at the end); undefined for no leaves. */
function layOut(leaves: readonly Hex[]): Buffer[] | undefined {
  const n = leaves.length
  if (n === 0) return undefined
  const sorted = leaves.map(leafBytes).sort(Buffer.compare)
  const tree: Buffer[] = new Array(2 * n - 1)
  for (let i = 0; i < n; i++) tree[tree.length - 1 - i] = sorted[i]
  return tree
}

const pair = Buffer.allocUnsafe(64)

/** keccak256 of node `i`'s children, smaller first. */
function hashPair(tree: Buffer[], i: number): Buffer {
  const a = tree[2 * i + 1]
  const b = tree[2 * i + 2]
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a]
  lo.copy(pair, 0)
  hi.copy(pair, 32)
  const h = keccak256Bytes(pair)
  return Buffer.from(h.buffer, h.byteOffset, h.byteLength)
}

function leafBytes(leaf: Hex): Buffer {
  if (!/^0x[0-9a-fA-F]{64}$/.test(leaf)) throw new RangeError(`Merkle leaf is not 32 bytes of hex: ${leaf}`)
  return Buffer.from(leaf.slice(2), 'hex')
}
