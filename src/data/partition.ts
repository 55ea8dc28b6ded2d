import { createRng, dirichlet, shuffleInPlace } from './rng.js'
import type { Dataset } from './schema.js'
import { rowsByClass, subset } from './split.js'

/** Options for {@link dirichletPartition}. */
export interface DirichletOptions {
  holders: number
  /** Concentration: small (0.1–0.5) = strong label skew, large (≥ 100) ≈ IID. */
  alpha: number
  seed: number
  /** Every holder gets at least this many rows (re-draws until so; default 10). */
  minRows?: number
}

/**
 * Non-IID label-skew partition (Hsu et al. 2019): for each class, holder proportions are drawn from
 * Dirichlet(alpha) and that class's shuffled rows are split accordingly. Deterministic for a seed.
 */
export function dirichletPartition(ds: Dataset, options: DirichletOptions): Dataset[] {
  const { holders, alpha } = options
  const minRows = options.minRows ?? 10
  if (holders < 1 || holders * minRows > ds.n)
    throw new RangeError(`cannot give ${holders} holders ${minRows} rows`)
  const rng = createRng(options.seed)
  const byClass = rowsByClass(ds)
  for (let attempt = 0; attempt < 1000; attempt++) {
    const parts: number[][] = Array.from({ length: holders }, () => [])
    for (const rows of byClass) {
      shuffleInPlace(rows, rng)
      const p = dirichlet(holders, alpha, rng)
      let start = 0
      let acc = 0
      for (let h = 0; h < holders; h++) {
        acc += p[h]
        const end = h === holders - 1 ? rows.length : Math.round(acc * rows.length)
        parts[h].push(...rows.slice(start, end))
        start = end
      }
    }
    if (parts.every((p) => p.length >= minRows)) {
      return parts.map((p) => subset(ds, shuffleInPlace(p, rng) as number[]))
    }
  }
  throw new RangeError(`no Dirichlet(${alpha}) partition gave every holder ${minRows} rows; raise alpha`)
}

/** Options for {@link shardPartition}. */
export interface ShardOptions {
  holders: number
  /** Shards per holder (McMahan et al. 2017 use 2). */
  shardsPerHolder: number
  seed: number
}

/**
 * Pathological non-IID partition (McMahan et al. 2017): rows sorted by label are cut into
 * `holders × shardsPerHolder` equal shards and each holder receives `shardsPerHolder` random shards.
 */
export function shardPartition(ds: Dataset, options: ShardOptions): Dataset[] {
  const rng = createRng(options.seed)
  const order = shuffleInPlace(
    Array.from({ length: ds.n }, (_, i) => i),
    rng,
  ) as number[]
  order.sort((a, b) => ds.y[a] - ds.y[b])
  const shards = options.holders * options.shardsPerHolder
  const ids = shuffleInPlace(
    Array.from({ length: shards }, (_, i) => i),
    rng,
  ) as number[]
  return Array.from({ length: options.holders }, (_, h) => {
    const rows: number[] = []
    for (let s = 0; s < options.shardsPerHolder; s++) {
      const id = ids[h * options.shardsPerHolder + s]
      rows.push(...order.slice(Math.floor((id * ds.n) / shards), Math.floor(((id + 1) * ds.n) / shards)))
    }
    return subset(ds, shuffleInPlace(rows, rng) as number[])
  })
}
