import { createRng, shuffleInPlace } from './rng.js'
import type { Dataset } from './schema.js'

/** The rows of `ds` at `indices`, in that order, as a new data set. */
export function subset(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const n = indices.length
  const x = new Float32Array(n * ds.d)
  const y = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const r = indices[i]
    x.set(ds.x.subarray(r * ds.d, (r + 1) * ds.d), i * ds.d)
    y[i] = ds.y[r]
  }
  return { schema: ds.schema, n, d: ds.d, x, y }
}

/** Row indices of each class (`result[c]` lists the rows of class `c`, empty when it has none). */
export function rowsByClass(ds: Dataset): number[][] {
  const groups: number[][] = ds.schema.target.classes.map(() => [])
  for (let r = 0; r < ds.n; r++) groups[ds.y[r]].push(r)
  return groups
}

/** Concatenates data sets that share a schema. */
export function concat(parts: Dataset[]): Dataset {
  const n = parts.reduce((a, p) => a + p.n, 0)
  const d = parts[0].d
  const x = new Float32Array(n * d)
  const y = new Int32Array(n)
  let o = 0
  for (const p of parts) {
    x.set(p.x, o * d)
    y.set(p.y, o)
    o += p.n
  }
  return { schema: parts[0].schema, n, d, x, y }
}

/** The rows of `ds` in a seeded random order. */
export function shuffle(ds: Dataset, seed: number): Dataset {
  const idx = Array.from({ length: ds.n }, (_, i) => i)
  return subset(ds, shuffleInPlace(idx, createRng(seed)) as number[])
}

/** Options for {@link trainTestSplit}. */
export interface SplitOptions {
  /** Fraction of rows held out for testing, in (0, 1). Default 0.2. */
  testFraction?: number
  seed: number
  /** Keep each class's proportion in both parts (default true). */
  stratify?: boolean
}

/**
 * A deterministic seeded train/test split, stratified by class by default: each class's rows are
 * shuffled and `round(count × testFraction)` of them go to the test part; both parts are then shuffled.
 */
export function trainTestSplit(ds: Dataset, options: SplitOptions): { train: Dataset; test: Dataset } {
  const f = options.testFraction ?? 0.2
  if (!(f > 0 && f < 1)) throw new RangeError(`testFraction must be in (0, 1), got ${f}`)
  const rng = createRng(options.seed)
  const groups = (options.stratify ?? true) ? rowsByClass(ds) : [Array.from({ length: ds.n }, (_, i) => i)]
  const train: number[] = []
  const test: number[] = []
  for (const g of groups) {
    shuffleInPlace(g, rng)
    const k = Math.round(g.length * f)
    test.push(...g.slice(0, k))
    train.push(...g.slice(k))
  }
  shuffleInPlace(train, rng)
  shuffleInPlace(test, rng)
  return { train: subset(ds, train), test: subset(ds, test) }
}
