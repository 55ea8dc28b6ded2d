import type { Address, Hex } from 'viem'
import { buildReceiptTree } from '../ledger/receipts.js'
import type { Db } from '../store/db.js'
import { toReceipt } from './receipt.js'

/** Ids of the most recent tasks covered by a redeemed voucher (the ones `proofOf` can prove). */
export function provableTasks(db: Db, limit = 20): { escrowJob: string; taskId: string; units: number }[] {
  return (
    db
      .prepare(
        `SELECT r.escrow_job, r.task_id, r.units FROM provider_receipts r
         JOIN provider_vouchers v ON v.escrow_job = r.escrow_job
         WHERE r.covered_seq IS NOT NULL AND r.covered_seq <= v.redeemed_seq
         ORDER BY r.rowid DESC LIMIT ?`,
      )
      .all(Math.max(1, Math.min(limit, 1000))) as { escrow_job: string; task_id: string; units: number }[]
  ).map((r) => ({ escrowJob: r.escrow_job, taskId: r.task_id, units: r.units }))
}

/**
 * Everything needed to prove one task's receipt against the chain: the receipt, the root of the first
 * redemption that covered it, and the Merkle proof.
 */
export function proofOf(
  db: Db,
  me: Address,
  taskId: string,
): { receipt: ReturnType<typeof toReceipt>; root: Hex; proof: Hex[]; redemptionTx: string } | undefined {
  const r = db
    .prepare('SELECT * FROM provider_receipts WHERE task_id = ? AND covered_seq IS NOT NULL')
    .get(taskId) as
    | {
        escrow_job: string
        task_id: string
        units: number
        input_hash: string
        output_hash: string
        covered_seq: number
      }
    | undefined
  if (!r) return undefined
  const red = db
    .prepare('SELECT * FROM provider_redemptions WHERE escrow_job = ? AND seq >= ? ORDER BY seq LIMIT 1')
    .get(r.escrow_job, r.covered_seq) as { seq: number; receipts_root: Hex; tx_hash: string } | undefined
  if (!red) return undefined
  const rows = db
    .prepare(
      'SELECT task_id, units, input_hash, output_hash FROM provider_receipts WHERE escrow_job = ? AND covered_seq <= ?',
    )
    .all(r.escrow_job, red.seq) as {
    task_id: string
    units: number
    input_hash: string
    output_hash: string
  }[]
  const receipts = rows.map((x) =>
    toReceipt(BigInt(r.escrow_job), me, {
      taskId: x.task_id,
      units: x.units,
      inputHash: x.input_hash,
      outputHash: x.output_hash,
    }),
  )
  const tree = buildReceiptTree(receipts)
  const idx = rows.findIndex((x) => x.task_id === taskId)
  return { receipt: receipts[idx], root: tree.root, proof: tree.proof(idx), redemptionTx: red.tx_hash }
}
