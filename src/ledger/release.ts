import type { Address, Hex, LocalAccount } from 'viem'
import { hashTypedData } from 'viem'
import { escrowDomain } from './voucher.js'

/**
 * A provider's final word on an escrow job (mirrors `IJobEscrow.Release`): "pay me up to
 * `cumulativeUnits` for this job, recorded under `receiptsRoot`, and release the rest to the requester".
 * The requester submits every payee's release in `closeJob` to settle the job and get its refund at once.
 */
export interface Release {
  jobId: bigint
  provider: Address
  cumulativeUnits: bigint
  receiptsRoot: Hex
}

/** EIP-712 types of a release. */
export const RELEASE_TYPES = {
  Release: [
    { name: 'jobId', type: 'uint256' },
    { name: 'provider', type: 'address' },
    { name: 'cumulativeUnits', type: 'uint256' },
    { name: 'receiptsRoot', type: 'bytes32' },
  ],
} as const

/** The EIP-712 digest a provider signs (equals `JobEscrow.releaseDigest`). */
export function hashRelease(release: Release, escrow: Address, chainId: number): Hex {
  return hashTypedData({
    domain: escrowDomain(escrow, chainId),
    types: RELEASE_TYPES,
    primaryType: 'Release',
    message: release,
  })
}

/** Signs a release with a local account (the provider it names). */
export function signReleaseWith(account: LocalAccount, release: Release, escrow: Address, chainId: number) {
  return account.signTypedData({
    domain: escrowDomain(escrow, chainId),
    types: RELEASE_TYPES,
    primaryType: 'Release',
    message: release,
  })
}

/** What a requester signs (EIP-191) to ask a provider for its release of a job, valid until `expires` (ms). */
export function releaseRequestText(
  r: { jobId: bigint; provider: Address; expires: number },
  escrow: Address,
  chainId: number,
): string {
  return `mutirao:release-request:1 chain=${chainId} escrow=${escrow.toLowerCase()} job=${r.jobId} provider=${r.provider.toLowerCase()} expires=${r.expires}`
}
