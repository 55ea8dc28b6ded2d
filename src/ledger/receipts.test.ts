import { StandardMerkleTree } from '@openzeppelin/merkle-tree'
import fc from 'fast-check'
import { type Address, getAddress, type Hex, keccak256, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLedger, type Ledger } from './ledger.js'
import {
  buildReceiptTree,
  parseTaskReceipt,
  RECEIPT_LEAF_ENCODING,
  receiptLeaf,
  receiptValues,
  type TaskReceipt,
  taskIdOf,
  verifyReceiptProof,
} from './receipts.js'
import { chainTime, startTestChain, TEST_KEYS } from './test-utils.js'
import { hashVoucher } from './voucher.js'

const receiptsFor = (jobId: bigint, provider: Address, n: number): TaskReceipt[] =>
  Array.from({ length: n }, (_, i) => ({
    jobId,
    taskId: taskIdOf(`task-${i}`),
    provider,
    units: BigInt(1 + (i % 5)),
    inputHash: keccak256(toHex(`in-${i}`)),
    outputHash: keccak256(toHex(`out-${i}`)),
  }))

describe('receipts (local)', () => {
  it('leaves and roots equal @openzeppelin/merkle-tree StandardMerkleTree', () => {
    const rs = receiptsFor(3n, getAddress('0x00000000000000000000000000000000000000b1'), 13)
    const std = StandardMerkleTree.of(
      rs.map((r) => receiptValues(r).map(String)),
      [...RECEIPT_LEAF_ENCODING],
    )
    const tree = buildReceiptTree(rs)
    expect(tree.root).toBe(std.root)
    rs.forEach((r, i) => {
      expect(receiptLeaf(r)).toBe(std.leafHash(receiptValues(r).map(String)))
      expect(verifyReceiptProof(tree.root, r, tree.proof(i))).toBe(true)
    })
  })

  it('the hand-encoded leaf and task id equal OpenZeppelin and viem for any values (property); bad values are refused', () => {
    const word = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })
    const hex = (bytes: number) => word.map((v) => toHex(v % 2n ** BigInt(8 * bytes), { size: bytes }))
    fc.assert(
      fc.property(word, hex(32), hex(20), word, hex(32), hex(32), (jobId, taskId, provider, units, i, o) => {
        const r: TaskReceipt = {
          jobId,
          taskId,
          provider: getAddress(provider),
          units,
          inputHash: i,
          outputHash: o,
        }
        expect(receiptLeaf(r)).toBe(
          StandardMerkleTree.of([receiptValues(r).map(String)], [...RECEIPT_LEAF_ENCODING]).leafHash(
            receiptValues(r).map(String),
          ),
        )
      }),
      { numRuns: 200 },
    )
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (id) => {
        expect(taskIdOf(id)).toBe(keccak256(toHex(id)))
      }),
      { numRuns: 200 },
    )
    const ok = receiptsFor(1n, getAddress('0x00000000000000000000000000000000000000b3'), 1)[0]!
    expect(() => receiptLeaf({ ...ok, units: -1n })).toThrow(/units is not a uint256/)
    expect(() => receiptLeaf({ ...ok, jobId: 2n ** 256n })).toThrow(/jobId is not a uint256/)
    expect(() => receiptLeaf({ ...ok, inputHash: '0x12' })).toThrow(/inputHash is not 32 bytes/)
    expect(() => receiptLeaf({ ...ok, provider: `0x${'zz'.repeat(20)}` as Address })).toThrow(
      /provider is not 20 bytes/,
    )
  })

  it('any change to any field of a receipt breaks its proof (property)', () => {
    const rs = receiptsFor(9n, getAddress('0x00000000000000000000000000000000000000b2'), 32)
    const tree = buildReceiptTree(rs)
    const fields = ['jobId', 'taskId', 'provider', 'units', 'inputHash', 'outputHash'] as const
    fc.assert(
      fc.property(
        fc.nat(31),
        fc.constantFrom(...fields),
        fc.bigInt({ min: 1n, max: 2n ** 64n }),
        (i, field, d) => {
          const r = { ...rs[i]! }
          const v = r[field]
          const bumped =
            typeof v === 'bigint'
              ? v + d
              : (toHex(BigInt(v) ^ d, { size: field === 'provider' ? 20 : 32 }) as Hex)
          const tampered = { ...r, [field]: field === 'provider' ? getAddress(bumped as Hex) : bumped }
          return verifyReceiptProof(tree.root, tampered, tree.proof(i)) === false
        },
      ),
      { numRuns: 300 },
    )
  })

  it('parseTaskReceipt validates untrusted input and names the bad field', () => {
    const r = receiptsFor(1n, getAddress('0x00000000000000000000000000000000000000b3'), 1)[0]!
    const json = JSON.parse(JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? v.toString() : v)))
    expect(parseTaskReceipt(json)).toEqual(r)
    expect(() => parseTaskReceipt({ ...json, outputHash: '0x12' })).toThrow(/outputHash/)
    expect(() => parseTaskReceipt({ ...json, units: '-1' })).toThrow(/units/)
  })
})

describe('receipts and vouchers against the contract (differential)', () => {
  let env: Awaited<ReturnType<typeof startTestChain>>
  let requester: Ledger
  let provider: Ledger

  beforeAll(async () => {
    env = await startTestChain()
    const mk = (k: Hex) =>
      createLedger({ rpcUrl: env.chain.rpcUrl, privateKey: k, deployments: env.deployments })
    ;[requester, provider] = await Promise.all([mk(TEST_KEYS[0]!), mk(TEST_KEYS[1]!)])
    await requester.faucet(requester.address, 10n ** 21n)
  })
  afterAll(() => env?.cleanup())

  it('TS voucher digest equals the contract’s; TS proofs verify on-chain; tampered receipts fail', async () => {
    const deadline = (await chainTime(env.chain.rpcUrl)) + 600n
    const { jobId } = await requester.openJob({ budget: 10n ** 18n, pricePerUnit: 10n ** 12n, deadline })
    await requester.addPayees(jobId, [provider.address])
    const rs = receiptsFor(jobId, provider.address, 50)
    const tree = buildReceiptTree(rs)
    const units = rs.reduce((a, r) => a + r.units, 0n)
    const v = {
      jobId,
      provider: provider.address,
      cumulativeUnits: units,
      cumulativeAmount: units * 10n ** 12n,
      receiptsRoot: tree.root,
    }
    expect(await provider.voucherDigest(v)).toBe(hashVoucher(v, env.deployments.escrow, requester.chainId))

    expect(await provider.verifyReceipt(rs[7]!, tree.root, tree.proof(7))).toBe(false) // root not recorded yet
    await provider.redeem(v, await requester.signVoucher(v))
    for (const i of [0, 7, 49]) {
      expect(await provider.verifyReceipt(rs[i]!, tree.root, tree.proof(i))).toBe(true)
    }
    const tampered = [
      { ...rs[7]!, outputHash: keccak256(toHex('forged output')) },
      { ...rs[7]!, units: rs[7]!.units + 1n },
      { ...rs[7]!, taskId: taskIdOf('task-8') },
      { ...rs[7]!, provider: requester.address },
      { ...rs[7]!, jobId: jobId + 1n },
    ]
    for (const t of tampered) expect(await provider.verifyReceipt(t, tree.root, tree.proof(7))).toBe(false)
    expect(await provider.verifyReceipt(rs[7]!, tree.root, tree.proof(8))).toBe(false)
  })
})
