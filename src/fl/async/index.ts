/** Buffered asynchronous aggregation (FedBuff): stragglers never stall a round. */
export {
  type AsyncUpdate,
  type BufferedAggregator,
  type BufferedAggregatorOptions,
  createBufferedAggregator,
  type SubmitOutcome,
} from './buffered.js'
export {
  type AsyncSimHolder,
  type BufferedResult,
  type RunBufferedOptions,
  runBufferedFederated,
  type VersionRecord,
} from './simulate-async.js'
