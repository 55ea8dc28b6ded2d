import type { LineageAnchor } from './anchor.js'

/** What {@link chainAnchor} needs from a ledger client (`createLedger(...)` provides both). */
export interface LineageLedger {
  anchorLineage(modelHash: string, root: string, uri?: string): Promise<{ txHash: string }>
  lineageOf(modelHash: string): Promise<{ root: string; owner: string } | undefined>
}

/**
 * A {@link LineageAnchor} on the ledger's `LineageRegistry` contract: `anchor` sends a write-once
 * transaction (the sender becomes the model's owner) and returns its hash; `lookup` reads `anchorOf` and
 * returns the root in the lineage's own form (64 lowercase hex digits, no `0x`).
 * @example
 * const anchor = chainAnchor(await createLedger({ rpcUrl, privateKey, deployments }))
 * await verifyLineage(lineage, { anchor })
 */
export function chainAnchor(ledger: LineageLedger, options: { uri?: string } = {}): LineageAnchor {
  return {
    async anchor(modelHash, root) {
      const { txHash } = await ledger.anchorLineage(modelHash, root, options.uri ?? '')
      return txHash
    },
    async lookup(modelHash) {
      const rec = await ledger.lineageOf(modelHash)
      return rec ? rec.root.replace(/^0x/, '').toLowerCase() : undefined
    },
  }
}
