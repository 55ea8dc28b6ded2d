import { type ColumnStats, columnStats } from './column-stats.js'
import type { DataSchema, Dataset } from './schema.js'

/**
 * The fitted preprocessing from raw encoded features (`[n, d]`, `NaN` = missing) to model inputs
 * (`[n, m]`): (1) impute each raw column's missing values with `fill`; (2) expand: model column `k` reads
 * raw column `source[k]`, and when `category[k] >= 0` becomes the one-hot indicator `raw == category[k]`;
 * (3) standardize: `(v - mean[k]) / std[k]`. The same steps are exported into the ONNX model, so the served
 * model takes raw features.
 */
export interface Preprocessing {
  /** Raw input width d. */
  inputDim: number
  /** Model input width m. */
  outputDim: number
  fill: Float32Array
  source: Int32Array
  category: Int32Array
  mean: Float32Array
  std: Float32Array
  /** Model column names (`col` or `col=category`). */
  names: string[]
}

/**
 * Fits the preprocessing from column statistics (training data only): numeric columns are imputed with
 * their mean, categorical ones with their most frequent category; every model column is standardized with
 * the mean and population standard deviation of the imputed data (std 1 for constant columns).
 */
export function preprocessingFromStats(schema: DataSchema, stats: ColumnStats): Preprocessing {
  const fill: number[] = []
  const source: number[] = []
  const category: number[] = []
  const mean: number[] = []
  const std: number[] = []
  const names: string[] = []
  const N = Math.max(stats.rows, 1)
  const sd = (variance: number) => {
    const s = Math.sqrt(Math.max(variance, 0))
    return s > 1e-8 ? s : 1
  }
  schema.features.forEach((f, j) => {
    const missing = stats.rows - stats.count[j]
    if (f.kind === 'numeric') {
      const c = Math.max(stats.count[j], 1)
      const m = stats.sum[j] / c
      fill.push(m)
      source.push(j)
      category.push(-1)
      mean.push(m)
      // Imputed values equal the mean, so they add nothing to the squared deviations.
      std.push(sd((stats.sumSq[j] - c * m * m) / N))
      names.push(f.name)
    } else {
      const counts = stats.categoryCounts[j]
      let mode = 0
      counts.forEach((v, i) => {
        if (v > counts[mode]) mode = i
      })
      fill.push(mode)
      f.categories.forEach((cat, i) => {
        const p = (counts[i] + (i === mode ? missing : 0)) / N
        source.push(j)
        category.push(i)
        mean.push(p)
        std.push(sd(p * (1 - p)))
        names.push(`${f.name}=${cat}`)
      })
    }
  })
  return {
    inputDim: schema.features.length,
    outputDim: source.length,
    fill: Float32Array.from(fill),
    source: Int32Array.from(source),
    category: Int32Array.from(category),
    mean: Float32Array.from(mean),
    std: Float32Array.from(std),
    names,
  }
}

/** Fits the preprocessing on a (training) data set; see {@link preprocessingFromStats}. */
export function fitPreprocessing(train: Dataset): Preprocessing {
  return preprocessingFromStats(train.schema, columnStats(train))
}

/**
 * Applies the preprocessing to raw rows (`[n, inputDim]`, row-major), in float32 arithmetic like the
 * exported ONNX graph. Returns `[n, outputDim]` row-major.
 */
export function applyPreprocessing(p: Preprocessing, raw: Float32Array): Float32Array {
  const n = raw.length / p.inputDim
  if (!Number.isInteger(n))
    throw new RangeError(`input length ${raw.length} is not a multiple of ${p.inputDim}`)
  const out = new Float32Array(n * p.outputDim)
  const f = Math.fround
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < p.outputDim; k++) {
      const j = p.source[k]
      let v = raw[r * p.inputDim + j]
      if (Number.isNaN(v)) v = p.fill[j]
      if (p.category[k] >= 0) v = v === p.category[k] ? 1 : 0
      out[r * p.outputDim + k] = f(f(v - p.mean[k]) / p.std[k])
    }
  }
  return out
}
