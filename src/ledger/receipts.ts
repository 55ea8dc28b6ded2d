import { SimpleMerkleTree } from '@openzeppelin/merkle-tree'
import { type Address, bytesToHex, getAddress, type Hex } from 'viem'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { keccak256Bytes } from './keccak.js'
import { sortedPairMerkleRoot } from './merkle-root.js'

/**
 * One verified task: a leaf of the receipts tree whose root a voucher carries.
 * Mirrors `IJobEscrow.TaskReceipt`.
 */
export interface TaskReceipt {
  /** Escrow job id. */
  jobId: bigint
  /** 32-byte task id (use {@link taskIdOf} to derive one from a string id). */
  taskId: Hex
  /** Provider paid for the task. */
  provider: Address
  /** Work units the task was worth. */
  units: bigint
  /** Hash of the task input. */
  inputHash: Hex
  /** Hash of the accepted output. */
  outputHash: Hex
}

/** ABI types of a receipt leaf, in order (the StandardMerkleTree `leafEncoding`). */
export const RECEIPT_LEAF_ENCODING = [
  'uint256',
  'bytes32',
  'address',
  'uint256',
  'bytes32',
  'bytes32',
] as const

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected 0x + 64 hex digits')
const uint = z.union([z.bigint(), z.string().regex(/^\d{1,78}$/)]).transform((v) => BigInt(v))

/** zod schema for a receipt received as JSON (uints as decimal strings or bigint). */
export const taskReceiptSchema = z.object({
  jobId: uint,
  taskId: bytes32,
  provider: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected an address'),
  units: uint,
  inputHash: bytes32,
  outputHash: bytes32,
})

/** Parses and validates an untrusted receipt; throws InvalidInputError naming the bad field. */
export function parseTaskReceipt(input: unknown): TaskReceipt {
  const r = taskReceiptSchema.safeParse(input)
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new InvalidInputError(
      `Invalid task receipt: ${issue?.path.join('.') || 'value'}: ${issue?.message}`,
    )
  }
  return { ...r.data, provider: getAddress(r.data.provider), taskId: r.data.taskId as Hex } as TaskReceipt
}

/** A 32-byte task id from a string id (keccak256 of its UTF-8 bytes). */
export function taskIdOf(id: string): Hex {
  return bytesToHex(keccak256Bytes(Buffer.from(id, 'utf8')))
}

/** The values of a receipt in leaf order. */
export function receiptValues(r: TaskReceipt): [bigint, Hex, Address, bigint, Hex, Hex] {
  return [r.jobId, r.taskId, r.provider, r.units, r.inputHash, r.outputHash]
}

/**
 * The leaf hash of a receipt: `keccak256(keccak256(abi.encode(...)))`, identical to
 * `@openzeppelin/merkle-tree` StandardMerkleTree leaves and to `JobEscrow.receiptLeaf`.
 */
export function receiptLeaf(r: TaskReceipt): Hex {
  // abi.encode of six static words, written directly (viem's encoder costs more than the hashing)
  const encoded = Buffer.alloc(6 * 32)
  putUint256(encoded, 0, r.jobId, 'jobId')
  putWord(encoded, 1, r.taskId, 32, 'taskId')
  putWord(encoded, 2, r.provider, 20, 'provider')
  putUint256(encoded, 3, r.units, 'units')
  putWord(encoded, 4, r.inputHash, 32, 'inputHash')
  putWord(encoded, 5, r.outputHash, 32, 'outputHash')
  return bytesToHex(keccak256Bytes(keccak256Bytes(encoded)))
}

const MAX_UINT256 = (1n << 256n) - 1n

/** Word `i` of `out` = `v` as a big-endian uint256; a value outside uint256 is refused. */
function putUint256(out: Buffer, i: number, v: bigint, name: string): void {
  if (v < 0n || v > MAX_UINT256) throw new RangeError(`receipt ${name} is not a uint256: ${v}`)
  out.write(v.toString(16).padStart(64, '0'), i * 32, 'hex')
}

/** Word `i` of `out` = the `bytes`-byte hex value `v`, right-aligned (bytes32 fill it, an address is padded). */
function putWord(out: Buffer, i: number, v: string, bytes: number, name: string): void {
  if (v.length !== 2 + 2 * bytes || !/^0x[0-9a-fA-F]*$/.test(v))
    throw new RangeError(`receipt ${name} is not ${bytes} bytes of hex: ${v}`)
  out.write(v.slice(2), i * 32 + 32 - bytes, 'hex')
}

/** A Merkle tree over task receipts. */
export interface ReceiptTree {
  /** Root to put in a voucher (zero hash for an empty tree). */
  root: Hex
  /** Number of receipts. */
  size: number
  /** Proof of the i-th receipt (in the order given to {@link buildReceiptTree}). */
  proof(index: number): Hex[]
}

/** Builds the receipts tree (sorted leaves, sorted-pair keccak256 nodes, as OpenZeppelin's MerkleProof). */
export function buildReceiptTree(receipts: readonly TaskReceipt[]): ReceiptTree {
  if (receipts.length === 0) {
    return { root: `0x${'0'.repeat(64)}`, size: 0, proof: () => [] }
  }
  const leaves = receipts.map(receiptLeaf)
  const tree = SimpleMerkleTree.of(leaves)
  // SimpleMerkleTree sorts its leaves; map our indices to its positions once.
  const position = new Map<string, number>()
  for (const [i, leaf] of tree.entries()) position.set(leaf as string, i)
  return {
    root: tree.root as Hex,
    size: receipts.length,
    proof(index) {
      const leaf = leaves[index]
      if (leaf === undefined)
        throw new InvalidInputError(`No receipt at index ${index} (tree has ${leaves.length})`)
      return tree.getProof(position.get(leaf)!) as Hex[]
    },
  }
}

/**
 * The root of the receipts tree from precomputed leaves (see {@link receiptLeaf}); order does not matter.
 * Hashes in slices that give the event loop a turn (a voucher's tree can hold many thousand receipts).
 */
export function receiptRootOfLeaves(leaves: readonly Hex[]): Promise<Hex> {
  return sortedPairMerkleRoot(leaves)
}

/** Checks locally that `receipt` is under `root` with `proof` (no chain needed). */
export function verifyReceiptProof(root: Hex, receipt: TaskReceipt, proof: readonly Hex[]): boolean {
  return SimpleMerkleTree.verify(root, receiptLeaf(receipt), [...proof])
}
