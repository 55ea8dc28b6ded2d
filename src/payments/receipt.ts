import { type Address, getAddress, type Hex } from 'viem'
import { type TaskReceipt, taskIdOf } from '../ledger/receipts.js'

/** A task as both sides record it, before it becomes a ledger receipt. */
export interface TaskRecord {
  taskId: string
  units: number | bigint
  /** sha256 hex of the task's encoded inputs. */
  inputHash: string
  /** sha256 hex of the accepted encoded outputs. */
  outputHash: string
}

/** The ledger receipt (Merkle leaf) of a task: identical on the requester's and the provider's side. */
export function toReceipt(escrowJob: bigint, provider: Address, task: TaskRecord): TaskReceipt {
  return {
    jobId: escrowJob,
    taskId: taskIdOf(task.taskId),
    provider: getAddress(provider),
    units: BigInt(task.units),
    inputHash: `0x${task.inputHash}` as Hex,
    outputHash: `0x${task.outputHash}` as Hex,
  }
}
