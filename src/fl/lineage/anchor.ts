/**
 * Where a model's lineage root is anchored (an append-only public record). On a chain this is the
 * `LineageRegistry` contract through `chainAnchor(ledger)`; {@link memoryAnchor} stands in for tests.
 */
export interface LineageAnchor {
  /** Records `root` as the lineage of `modelHash`; returns a reference (a transaction hash on a chain). */
  anchor(modelHash: string, root: string): Promise<string>
  /** The root anchored for `modelHash`, if any. */
  lookup(modelHash: string): Promise<string | undefined>
}

/** An in-memory, write-once anchor (tests and local demos). */
export function memoryAnchor(): LineageAnchor {
  const roots = new Map<string, string>()
  return {
    async anchor(modelHash, root) {
      const had = roots.get(modelHash)
      if (had !== undefined && had !== root) throw new Error(`model ${modelHash} is already anchored`)
      roots.set(modelHash, root)
      return `memory:${modelHash.slice(0, 16)}`
    },
    async lookup(modelHash) {
      return roots.get(modelHash)
    },
  }
}
