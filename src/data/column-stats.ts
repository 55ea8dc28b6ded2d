import type { Dataset } from './schema.js'

/**
 * Sufficient statistics of a data set's raw columns: enough to fit the preprocessing (imputation,
 * one-hot, standardization) without seeing rows. Holders can compute theirs locally and the job sums them
 * (in the clear or under secure aggregation) with {@link mergeColumnStats}.
 */
export interface ColumnStats {
  /** Number of rows. */
  rows: number
  /** Per raw column: number of non-missing values. */
  count: number[]
  /** Per raw column: sum of non-missing values (numeric columns; 0 for categorical). */
  sum: number[]
  /** Per raw column: sum of squares of non-missing values (numeric columns; 0 for categorical). */
  sumSq: number[]
  /** Per raw column: count of each category (categorical columns; `[]` for numeric). */
  categoryCounts: number[][]
}

/** Computes {@link ColumnStats} of a data set. */
export function columnStats(ds: Dataset): ColumnStats {
  const { d, n, x } = ds
  const count = new Array<number>(d).fill(0)
  const sum = new Array<number>(d).fill(0)
  const sumSq = new Array<number>(d).fill(0)
  const categoryCounts = ds.schema.features.map((f) =>
    f.kind === 'categorical' ? new Array<number>(f.categories.length).fill(0) : [],
  )
  const categorical = ds.schema.features.map((f) => f.kind === 'categorical')
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      const v = x[r * d + j]
      if (Number.isNaN(v)) continue
      count[j]++
      if (categorical[j]) categoryCounts[j][v]++
      else {
        sum[j] += v
        sumSq[j] += v * v
      }
    }
  }
  return { rows: n, count, sum, sumSq, categoryCounts }
}

/** Adds column statistics of data sets that share a schema. */
export function mergeColumnStats(parts: ColumnStats[]): ColumnStats {
  const add = (a: number[], b: number[]) => a.map((v, i) => v + b[i])
  return parts.reduce((acc, p) => ({
    rows: acc.rows + p.rows,
    count: add(acc.count, p.count),
    sum: add(acc.sum, p.sum),
    sumSq: add(acc.sumSq, p.sumSq),
    categoryCounts: acc.categoryCounts.map((c, j) => add(c, p.categoryCounts[j])),
  }))
}
