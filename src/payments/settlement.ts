/**
 * How a job's escrow ended, as stored with the job (`jobs.settlement`) and shown in its summary: closed
 * early with every payee's release (`settled`, the unspent budget refunded by that transaction), or left
 * `open` with the reason (then refundable by reclaim after the redeem window).
 */
export type Settlement =
  | { status: 'settled'; refund: string; paid: string; txHash: string; at: number }
  | { status: 'open'; reason: string; at: number }
