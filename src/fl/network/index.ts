/** Federated learning over the network: the `/mutirao/fl/1` protocol, the coordinator and the data holder. */
export { sha256Hex, weightsFromBytes, weightsHash, weightsToBytes } from './codec.js'
export {
  createFlCoordinator,
  type FlCoordinator,
  type FlCoordinatorOptions,
  type FlEvent,
  payoutsOf,
} from './coordinator.js'
export {
  FlDataMismatchError,
  FlJobFailedError,
  FlJoinRejectedError,
  FlPaymentError,
  FlRoundFailedError,
} from './errors.js'
export {
  createFlHolder,
  type FlHolder,
  type FlHolderEvent,
  type FlHolderOptions,
  type FlHolderResult,
} from './holder.js'
export {
  type FlHolderLedger,
  type FlOwnerLedger,
  openDataEscrow,
  redeemDataPayment,
  signDataVouchers,
} from './payments.js'
export {
  AggregatorSpecSchema,
  CoordinatorMessage,
  DataPayment,
  FL_DOMAIN,
  FL_FRAME_LIMITS,
  FlJobSpec,
  type FlJobSpecInput,
  HolderMessage,
} from './protocol.js'
export { defaultThreshold } from './round-secagg.js'
export {
  type FlJobState,
  type FlJobStatus,
  type FlPaymentsState,
  type FlStore,
  openFlStore,
} from './store.js'
