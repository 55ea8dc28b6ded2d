import { type Address, type Hex, hashTypedData, type LocalAccount } from 'viem'

/** A cumulative payment voucher (mirrors `IJobEscrow.Voucher`). */
export interface Voucher {
  jobId: bigint
  provider: Address
  cumulativeUnits: bigint
  cumulativeAmount: bigint
  receiptsRoot: Hex
}

/** EIP-712 types of a voucher. */
export const VOUCHER_TYPES = {
  Voucher: [
    { name: 'jobId', type: 'uint256' },
    { name: 'provider', type: 'address' },
    { name: 'cumulativeUnits', type: 'uint256' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'receiptsRoot', type: 'bytes32' },
  ],
} as const

/** EIP-712 domain of a JobEscrow deployment. */
export function escrowDomain(escrow: Address, chainId: number) {
  return { name: 'MutiraoJobEscrow', version: '1', chainId, verifyingContract: escrow } as const
}

/** The EIP-712 digest the requester signs (equals `JobEscrow.voucherDigest`). */
export function hashVoucher(voucher: Voucher, escrow: Address, chainId: number): Hex {
  return hashTypedData({
    domain: escrowDomain(escrow, chainId),
    types: VOUCHER_TYPES,
    primaryType: 'Voucher',
    message: voucher,
  })
}

/** Signs a voucher with a local account (the job's requester). */
export function signVoucherWith(account: LocalAccount, voucher: Voucher, escrow: Address, chainId: number) {
  return account.signTypedData({
    domain: escrowDomain(escrow, chainId),
    types: VOUCHER_TYPES,
    primaryType: 'Voucher',
    message: voucher,
  })
}
