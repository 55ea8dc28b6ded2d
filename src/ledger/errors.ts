import { MutiraoError, type MutiraoErrorOptions } from '../errors.js'

/** The anvil binary for the embedded chain could not be found. */
export class AnvilNotFoundError extends MutiraoError {
  override name = 'AnvilNotFoundError'
}

/** The embedded chain (anvil) did not start or answer. */
export class ChainStartError extends MutiraoError {
  override name = 'ChainStartError'
}

/** A deployments file is invalid, or the contracts it names have no code on the chain. */
export class DeploymentError extends MutiraoError {
  override name = 'DeploymentError'
}

/** A local-chain-only operation (faucet) was attempted on another chain. */
export class NotLocalChainError extends MutiraoError {
  override name = 'NotLocalChainError'
}

/** Options of a contract revert: the Solidity error name and its decoded arguments. */
export interface LedgerRevertOptions extends MutiraoErrorOptions {
  errorName: string
  args: readonly unknown[]
}

/** A ledger contract rejected a call with a custom error. Subclasses name each condition. */
export class LedgerRevertError extends MutiraoError {
  override name = 'LedgerRevertError'
  /** The Solidity custom error, e.g. `StaleVoucher`. */
  readonly errorName: string
  /** Its decoded arguments. */
  readonly args: readonly unknown[]
  constructor(message: string, options: LedgerRevertOptions) {
    super(message, options)
    this.errorName = options.errorName
    this.args = options.args
  }
}

/** The voucher's signature is not the job requester's (forged, or voucher fields changed). */
export class VoucherSignatureError extends LedgerRevertError {
  override name = 'VoucherSignatureError'
}
/** The voucher does not advance past the last redeemed one (older, equal or replayed). */
export class StaleVoucherError extends LedgerRevertError {
  override name = 'StaleVoucherError'
}
/** Paying the voucher would exceed the job's budget. */
export class VoucherExceedsBudgetError extends LedgerRevertError {
  override name = 'VoucherExceedsBudgetError'
}
/** The voucher's amount is not units × the job's price. */
export class VoucherAmountMismatchError extends LedgerRevertError {
  override name = 'VoucherAmountMismatchError'
}
/** The voucher names no provider. */
export class InvalidVoucherError extends LedgerRevertError {
  override name = 'InvalidVoucherError'
}
/** No escrow job has this id. */
export class UnknownJobError extends LedgerRevertError {
  override name = 'UnknownJobError'
}
/** The job was reclaimed or settled and is closed. */
export class JobClosedError extends LedgerRevertError {
  override name = 'JobClosedError'
}
/** The job's redemption window (deadline + redeemWindow) is over. */
export class RedeemWindowOverError extends LedgerRevertError {
  override name = 'RedeemWindowOverError'
}
/** The provider is not a payee of the job: the requester never named it, so nothing can pay it. */
export class NotPayeeError extends LedgerRevertError {
  override name = 'NotPayeeError'
}
/** The job's deadline has passed (payees can no longer be added). */
export class DeadlinePassedError extends LedgerRevertError {
  override name = 'DeadlinePassedError'
}
/** closeJob's releases are incomplete, out of order, for another job, or not signed by their provider. */
export class ReleaseError extends LedgerRevertError {
  override name = 'ReleaseError'
}
/** Reclaim was attempted before deadline + redeemWindow. */
export class ReclaimTooEarlyError extends LedgerRevertError {
  override name = 'ReclaimTooEarlyError'
}
/** Only the job's requester may do this. */
export class NotRequesterError extends LedgerRevertError {
  override name = 'NotRequesterError'
}
/** The job terms (budget, price, deadline) or fee are invalid. */
export class InvalidJobTermsError extends LedgerRevertError {
  override name = 'InvalidJobTermsError'
}
/** Token balance or allowance too small. */
export class InsufficientTokensError extends LedgerRevertError {
  override name = 'InsufficientTokensError'
}
/** A registry rule was broken: peer id invalid or taken, not registered, stake too small, still unbonding. */
export class RegistryError extends LedgerRevertError {
  override name = 'RegistryError'
}
/** The caller lacks the role or ownership the call needs. */
export class UnauthorizedError extends LedgerRevertError {
  override name = 'UnauthorizedError'
}
