export { type ColumnStats, columnStats, mergeColumnStats } from './column-stats.js'
export { type CsvLimits, type CsvTable, DEFAULT_MAX_CSV_BYTES, parseCsv } from './csv.js'
export { encodeTable } from './encode.js'
export { CsvParseError, DataTooLargeError, SchemaMismatchError } from './errors.js'
export { type InferSchemaOptions, inferSchema } from './infer-schema.js'
export { type LoadOptions, loadCsv, loadCsvFile } from './load.js'
export { type DirichletOptions, dirichletPartition, type ShardOptions, shardPartition } from './partition.js'
export {
  applyPreprocessing,
  fitPreprocessing,
  type Preprocessing,
  preprocessingFromStats,
} from './preprocess.js'
export { createRng, dirichlet, type Rng, shuffledIndices } from './rng.js'
export {
  DataSchema,
  type Dataset,
  type Feature,
  FeatureSchema,
  isMissingToken,
  numClasses,
} from './schema.js'
export { concat, rowsByClass, type SplitOptions, shuffle, subset, trainTestSplit } from './split.js'
