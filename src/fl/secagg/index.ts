/**
 * Secure aggregation (Bonawitz et al. 2017): holders' vectors are summed so that the aggregator learns only
 * the sum, with recovery from holders that drop out after sharing their keys; with a `degree`, SecAgg+
 * (Bell et al. 2020) over a sparse masking graph. Pure functions, no network.
 */
export {
  type AggregateResult,
  type AggregatorConfig,
  createAggregator,
  type SecAggAggregator,
} from './aggregator.js'
export * from './errors.js'
export {
  DEFAULT_SCALE_BITS,
  decodeFixedPoint,
  encodeFixedPoint,
  type FixedPointOptions,
  fixedPointBound,
} from './fixedPoint.js'
export { type MaskingGraph, maskingGraph, plusDegree, plusThreshold } from './graph.js'
export { createHolder, type HolderConfig, type SecAggHolder } from './holder.js'
export { MaskPool, sharedMaskPool } from './mask-pool.js'
export {
  type AdvertisedKeys,
  MAX_HOLDERS,
  MAX_VECTOR_LENGTH,
  type MaskedInput,
  type RevealedShare,
  type SharedKeys,
  type ShareEnvelope,
  type UnmaskRequest,
  type UnmaskResponse,
} from './messages.js'
export {
  payloadBytes,
  runSecAggRound,
  runSecAggRoundAsync,
  type SimulatedOutcome,
  type SimulatedRound,
} from './simulate.js'
