import { type Address, type Hex, keccak256, type LocalAccount, stringToHex } from 'viem'
import { InvalidInputError } from '../errors.js'

/** A task result as providers sign it for disputes (EIP-712 `TaskResult`). */
export interface TaskResultFields {
  /** The task id of the task protocol (any string; hashed to bytes32). */
  taskId: string
  /** sha256 of the task input, hex (64 chars, with or without 0x). */
  inputHash: string
  /** sha256 of the output bytes, hex. */
  outputHash: string
}

/** EIP-712 types of a task result (must match DisputeResolver.TASK_RESULT_TYPEHASH). */
export const TASK_RESULT_TYPES = {
  TaskResult: [
    { name: 'taskId', type: 'bytes32' },
    { name: 'inputHash', type: 'bytes32' },
    { name: 'outputHash', type: 'bytes32' },
  ],
} as const

/** The bytes32 a string task id is signed as: keccak256 of its UTF-8 bytes. */
export const taskIdToBytes32 = (taskId: string): Hex => keccak256(stringToHex(taskId))

/** A sha256 hex digest as bytes32. @throws InvalidInputError when it is not 32 bytes of hex. */
export function digestToBytes32(hex: string): Hex {
  const h = hex.startsWith('0x') ? hex.slice(2) : hex
  if (!/^[0-9a-fA-F]{64}$/.test(h))
    throw new InvalidInputError(`not a 32-byte hex digest: ${hex.slice(0, 80)}`, {
      metaMessages: ['Pass the sha256 of the input or output, as 64 hex characters.'],
    })
  return `0x${h.toLowerCase()}`
}

/** The EIP-712 message of `r` for the DisputeResolver at `resolver` on `chainId`. */
export function taskResultTypedData(r: TaskResultFields, resolver: Address, chainId: number) {
  return {
    domain: { name: 'MutiraoDisputes', version: '1', chainId, verifyingContract: resolver },
    types: TASK_RESULT_TYPES,
    primaryType: 'TaskResult' as const,
    message: {
      taskId: taskIdToBytes32(r.taskId),
      inputHash: digestToBytes32(r.inputHash),
      outputHash: digestToBytes32(r.outputHash),
    },
  }
}

/**
 * Sign a task result with a provider's Ethereum key, so that it can serve as on-chain evidence (for or
 * against the provider) in a DisputeResolver dispute.
 * @example
 * const sig = await signTaskResult(account, { taskId, inputHash, outputHash }, resolver, 31337)
 */
export function signTaskResult(
  account: LocalAccount,
  r: TaskResultFields,
  resolver: Address,
  chainId: number,
): Promise<Hex> {
  return account.signTypedData(taskResultTypedData(r, resolver, chainId))
}
