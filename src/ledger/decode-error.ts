import { BaseError, ContractFunctionRevertedError } from 'viem'
import {
  DeadlinePassedError,
  InsufficientTokensError,
  InvalidJobTermsError,
  InvalidVoucherError,
  JobClosedError,
  LedgerRevertError,
  NotPayeeError,
  NotRequesterError,
  ReclaimTooEarlyError,
  RedeemWindowOverError,
  RegistryError,
  ReleaseError,
  StaleVoucherError,
  UnauthorizedError,
  UnknownJobError,
  VoucherAmountMismatchError,
  VoucherExceedsBudgetError,
  VoucherSignatureError,
} from './errors.js'

type Ctor = new (
  message: string,
  options: ConstructorParameters<typeof LedgerRevertError>[1],
) => LedgerRevertError
type Rule = [Ctor, (a: readonly unknown[]) => string, string]

const s = (v: unknown): string => String(v)

/** Each contract custom error → class, message and what to do. */
const RULES: Record<string, Rule> = {
  InvalidSignature: [
    VoucherSignatureError,
    () => 'Voucher signature is not the job requester’s',
    'The voucher was forged or its fields (job, provider, units, amount, root) were changed after signing.',
  ],
  StaleVoucher: [
    StaleVoucherError,
    (a) => `Voucher for ${s(a[1])} units does not advance past the ${s(a[0])} units already redeemed`,
    'Redeem only a newer voucher; older or replayed vouchers pay nothing.',
  ],
  ExceedsBudget: [
    VoucherExceedsBudgetError,
    (a) => `Voucher would bring the job's payments to ${s(a[1])}, above its budget ${s(a[0])}`,
    'The requester signed more than the escrow holds; ask for a voucher within the budget.',
  ],
  AmountMismatch: [
    VoucherAmountMismatchError,
    (a) => `Voucher amount ${s(a[1])} is not units × price (${s(a[0])})`,
    'cumulativeAmount must equal cumulativeUnits × the job’s pricePerUnit.',
  ],
  InvalidProvider: [InvalidVoucherError, () => 'Voucher names no provider', 'Set voucher.provider.'],
  UnknownJob: [
    UnknownJobError,
    (a) => `No escrow job ${s(a[0])}`,
    'Check the job id and the escrow address.',
  ],
  JobClosed: [
    JobClosedError,
    (a) => `Escrow job ${s(a[0])} is closed`,
    'The requester settled or reclaimed it; what was released to you was paid at closing.',
  ],
  NotPayee: [
    NotPayeeError,
    (a) => `${s(a[0])} is not a payee of this escrow job`,
    'The requester must add the provider with addPayees before it can be paid; do no work for it until then.',
  ],
  DeadlinePassed: [
    DeadlinePassedError,
    (a) => `The job's deadline ${s(a[0])} has passed`,
    'Payees can only be added before the deadline; open a new job.',
  ],
  ReleaseCountMismatch: [
    ReleaseError,
    (a) => `The job has ${s(a[0])} payees but ${s(a[1])} releases were given`,
    'closeJob needs exactly one signed release per payee; wait for the others or reclaim after the window.',
  ],
  ReleasesNotSorted: [
    ReleaseError,
    (a) => `Release of ${s(a[0])} is out of order or repeated`,
    'Sort releases by provider address, ascending, one per payee.',
  ],
  ReleaseJobMismatch: [
    ReleaseError,
    (a) => `A release names job ${s(a[0])}, not the job being closed`,
    'Only releases signed for this job count.',
  ],
  InvalidReleaseSignature: [
    ReleaseError,
    (a) => `Release of ${s(a[0])} is not signed by that provider, or is not a payee's`,
    'Ask the provider for a fresh release; its fields must not change after signing.',
  ],
  RedeemWindowOver: [
    RedeemWindowOverError,
    (a) => `Redemption window of job ${s(a[0])} closed at ${s(a[1])}`,
    'Vouchers must be redeemed before deadline + redeemWindow.',
  ],
  ReclaimTooEarly: [
    ReclaimTooEarlyError,
    (a) => `Job cannot be reclaimed before ${s(a[0])}`,
    'Providers may redeem until deadline + redeemWindow; reclaim after that.',
  ],
  NotRequester: [NotRequesterError, (a) => `${s(a[0])} is not the job's requester`, 'Use the requester key.'],
  InvalidTerms: [
    InvalidJobTermsError,
    () => 'Invalid job terms',
    'Budget and price must be positive, price ≤ budget, budget < 2^128.',
  ],
  DeadlineInPast: [
    InvalidJobTermsError,
    (a) => `Deadline ${s(a[0])} is not in the future`,
    'Use a later deadline.',
  ],
  InvalidFee: [
    InvalidJobTermsError,
    (a) => `Invalid fee ${s(a[0])} bps`,
    'At most 1000 bps, with a treasury.',
  ],
  ERC20InsufficientBalance: [
    InsufficientTokensError,
    (a) => `Token balance ${s(a[1])} of ${s(a[0])} is below ${s(a[2])}`,
    'Get tokens first (on the local chain: faucet).',
  ],
  ERC20InsufficientAllowance: [
    InsufficientTokensError,
    (a) => `Token allowance ${s(a[1])} for ${s(a[0])} is below ${s(a[2])}`,
    'Approve the contract or use a permit.',
  ],
  InvalidPeerId: [
    RegistryError,
    () => 'Peer id is empty or longer than 128 bytes',
    'Pass the peer id multihash.',
  ],
  PeerIdTaken: [
    RegistryError,
    (a) => `Peer id already registered by ${s(a[0])}`,
    'Each peer id binds one address.',
  ],
  NotRegistered: [
    RegistryError,
    (a) => `${s(a[0])} has not registered a peer id`,
    'Call register(peerId) first.',
  ],
  ZeroAmount: [RegistryError, () => 'Amount must be positive', 'Pass a positive amount.'],
  InsufficientStake: [
    RegistryError,
    (a) => `Stake ${s(a[0])} is below the requested ${s(a[1])}`,
    'Unstake at most the active stake.',
  ],
  NothingToWithdraw: [
    RegistryError,
    (a) => `Nothing withdrawable yet (unlocks at ${s(a[0])})`,
    'Request unstake first and wait for the unbonding delay.',
  ],
  InvalidRewardShare: [RegistryError, (a) => `Reward share ${s(a[0])} bps is above 100%`, 'Use ≤ 10000 bps.'],
  AccessControlUnauthorizedAccount: [
    UnauthorizedError,
    (a) => `${s(a[0])} lacks role ${s(a[1])}`,
    'Use an account that holds the role.',
  ],
  OwnableUnauthorizedAccount: [
    UnauthorizedError,
    (a) => `${s(a[0])} is not the owner`,
    'Use the owner account.',
  ],
}

/**
 * Turns a viem error from a contract call into a {@link LedgerRevertError} subclass when the contract
 * reverted with a known custom error; returns other errors unchanged.
 */
export function decodeLedgerError(err: unknown): unknown {
  if (!(err instanceof BaseError)) return err
  const revert = err.walk((e) => e instanceof ContractFunctionRevertedError)
  if (!(revert instanceof ContractFunctionRevertedError) || !revert.data?.errorName) return err
  const { errorName, args = [] } = revert.data
  const rule = RULES[errorName]
  if (!rule) {
    return new LedgerRevertError(`Contract reverted with ${errorName}`, { errorName, args, cause: err })
  }
  const [Class, message, hint] = rule
  return new Class(message(args), { errorName, args, metaMessages: [hint], cause: err })
}

/** Runs `fn`, rethrowing contract reverts as decoded ledger errors. */
export async function withDecodedErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw decodeLedgerError(err)
  }
}
