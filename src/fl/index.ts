export {
  type AggregatorSpec,
  aggregatorFor,
  checkUpdates,
  coordinateMedian,
  fedAvg,
  krum,
  trimmedMean,
} from './aggregate/index.js'
export { attackUpdate, type UpdateAttack } from './attacks.js'
export * from './contribution/index.js'
export { AggregationError } from './errors.js'
export { type FlModel, type LocalResult, type LocalTrainOptions, localTrain } from './local-train.js'
export {
  type FederatedResult,
  type RoundRecord,
  type RunFederatedOptions,
  runFederated,
  type SimHolder,
} from './simulate.js'
export type { Aggregator, ClientUpdate } from './types.js'
