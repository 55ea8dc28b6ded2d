export { freePort } from '../free-port.js'
export type { ActivityEvent, ActivityKind, ActivityQuery } from './activity-actions.js'
export { anvilBinary } from './anvil-binary.js'
export { decodeLedgerError } from './decode-error.js'
export {
  DEFAULT_DISPUTE_PARAMS,
  DEFAULT_ORACLE_MIN_STAKE,
  type Deployments,
  type EnsureDeployedOptions,
  ensureDeployed,
  readDeployments,
} from './deployments.js'
export {
  DISPUTE_STATUS,
  type DisputeResolverParams,
  type DisputeStatus,
  type SignedTaskResult,
} from './dispute-actions.js'
export { signTaskResult, type TaskResultFields, taskResultTypedData } from './dispute-signing.js'
export { type EmbeddedChain, type EmbeddedChainOptions, startEmbeddedChain } from './embedded-chain.js'
export * from './errors.js'
export type { Contribution, JobInfo, OpenJobParams } from './escrow-actions.js'
export type { JobSettlement, SignedRelease } from './escrow-close-actions.js'
export { type CreateLedgerOptions, createLedger, type Ledger } from './ledger.js'
export { type LineageRecord, toBytes32 } from './lineage-actions.js'
export {
  InvalidLineageAnchorError,
  LineageAlreadyAnchoredError,
  LineageRegistryMissingError,
} from './lineage-errors.js'
export {
  type AnsweredEvent,
  ORACLE_STATUS,
  type OracleActions,
  type OracleRequest,
  type OracleRequestParams,
  type OracleStatus,
  oracleSpecHash,
  oracleTaskId,
  type RequestedEvent,
  signOracleAnswer,
} from './oracle-actions.js'
export {
  buildReceiptTree,
  parseTaskReceipt,
  RECEIPT_LEAF_ENCODING,
  type ReceiptTree,
  receiptLeaf,
  receiptRootOfLeaves,
  receiptValues,
  type TaskReceipt,
  taskIdOf,
  taskReceiptSchema,
  verifyReceiptProof,
} from './receipts.js'
export {
  hashRelease,
  RELEASE_TYPES,
  type Release,
  releaseRequestText,
  signReleaseWith,
} from './release.js'
export { ANVIL_FAUCET_KEY, type PermitSignature } from './token-actions.js'
export { escrowDomain, hashVoucher, signVoucherWith, VOUCHER_TYPES, type Voucher } from './voucher.js'
