import { SimpleMerkleTree } from '@openzeppelin/merkle-tree'
import { type Hex, keccak256, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { sortedPairMerkleRoot } from './merkle-root.js'

const leaf = (i: number): Hex => keccak256(toHex(`leaf-${i}`))

describe('sortedPairMerkleRoot', () => {
  it("equals OpenZeppelin SimpleMerkleTree's root for every size from 1 to 70", async () => {
    const leaves = Array.from({ length: 70 }, (_, i) => leaf(i))
    for (let n = 1; n <= 70; n++) {
      const some = leaves.slice(0, n)
      expect(await sortedPairMerkleRoot(some)).toBe(SimpleMerkleTree.of(some).root)
    }
  })

  it('does not depend on the order of the leaves, and handles duplicates and upper-case hex', async () => {
    const leaves = [leaf(1), leaf(2), leaf(3), leaf(2), leaf(9)]
    const root = await sortedPairMerkleRoot(leaves)
    expect(root).toBe(SimpleMerkleTree.of(leaves).root)
    expect(await sortedPairMerkleRoot([...leaves].reverse())).toBe(root)
    expect(await sortedPairMerkleRoot(leaves.map((l) => `0x${l.slice(2).toUpperCase()}` as Hex))).toBe(root)
  })

  it('gives the zero hash for no leaves and rejects a leaf that is not 32 bytes', async () => {
    expect(await sortedPairMerkleRoot([])).toBe(`0x${'0'.repeat(64)}`)
    await expect(sortedPairMerkleRoot(['0x1234'])).rejects.toThrow(/not 32 bytes/)
  })

  it('equals the library root for 4,000 leaves', async () => {
    const leaves = Array.from({ length: 4000 }, (_, i) => leaf(i))
    expect(await sortedPairMerkleRoot(leaves)).toBe(SimpleMerkleTree.of(leaves).root)
  })
})

describe('sortedPairMerkleRoot slices', () => {
  it('lets timers run while it hashes a large tree', async () => {
    const leaves = Array.from({ length: 20_000 }, (_, i) => leaf(i))
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const root = await sortedPairMerkleRoot(leaves, 1)
    clearInterval(timer)
    expect(root).toBe(SimpleMerkleTree.of(leaves).root)
    expect(ticks).toBeGreaterThan(2)
  })
})
