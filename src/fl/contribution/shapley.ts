import { createRng, shuffleInPlace } from '../../data/rng.js'

/** The value of a coalition of holders (indices into the round's updates, ascending). */
export type CoalitionUtility = (members: readonly number[]) => number

/** Options for {@link shapleyValues}. */
export interface ShapleyOptions {
  /** Compute exactly (2^n coalitions) up to this many holders; above, sample permutations. Default 8. */
  exactUpTo?: number
  /** Permutations to sample above `exactUpTo` (default 20·n). */
  permutations?: number
  seed?: number
  /**
   * GTG-Shapley within-round truncation: once a permutation's prefix is within this of the grand
   * coalition's utility, the remaining marginal contributions count as 0. Default 0 (no truncation).
   */
  truncation?: number
}

/** A utility memoized by coalition (so every coalition's model is evaluated once). */
function memoize(u: CoalitionUtility): CoalitionUtility {
  const seen = new Map<string, number>()
  return (members) => {
    const key = members.join(',')
    let v = seen.get(key)
    if (v === undefined) {
      v = u(members)
      seen.set(key, v)
    }
    return v
  }
}

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1))

/**
 * Shapley values of `n` holders for a coalition utility. Exact for small `n`; otherwise the GTG-Shapley
 * estimator (Liu et al. 2022): guided permutation sampling (permutation k starts with holder k mod n) with
 * within-round truncation. The values sum to `u(all) − u(∅)` (exactly when exact, in expectation otherwise).
 */
export function shapleyValues(n: number, utility: CoalitionUtility, options: ShapleyOptions = {}): number[] {
  const u = memoize(utility)
  const all = Array.from({ length: n }, (_, i) => i)
  const phi = new Array<number>(n).fill(0)
  if (n === 0) return phi
  if (n <= (options.exactUpTo ?? 8)) {
    const weight = Array.from({ length: n }, (_, s) => (factorial(s) * factorial(n - s - 1)) / factorial(n))
    for (let mask = 0; mask < 1 << n; mask++) {
      const members = all.filter((i) => mask & (1 << i))
      const base = u(members)
      for (const i of all) {
        if (mask & (1 << i)) continue
        const withI = all.filter((j) => j === i || mask & (1 << j))
        phi[i] += weight[members.length] * (u(withI) - base)
      }
    }
    return phi
  }
  const rng = createRng(options.seed ?? 0)
  const total = options.permutations ?? 20 * n
  const grand = u(all)
  const eps = options.truncation ?? 0
  for (let k = 0; k < total; k++) {
    const rest = shuffleInPlace(
      all.filter((i) => i !== k % n),
      rng,
    ) as number[]
    const perm = [k % n, ...rest]
    const prefix: number[] = []
    let prev = u([])
    for (const i of perm) {
      if (eps > 0 && Math.abs(grand - prev) < eps) break
      prefix.push(i)
      prefix.sort((a, b) => a - b)
      const cur = u(prefix)
      phi[i] += (cur - prev) / total
      prev = cur
    }
  }
  return phi
}

/** Round-level leave-one-out values: `u(all) − u(all without i)`. */
export function leaveOneOut(n: number, utility: CoalitionUtility): number[] {
  const all = Array.from({ length: n }, (_, i) => i)
  const grand = utility(all)
  return all.map((i) => grand - utility(all.filter((j) => j !== i)))
}
