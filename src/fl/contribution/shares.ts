import { InvalidInputError } from '../../errors.js'

const SCALE = 2 ** 48

/**
 * Splits a token budget in proportion to contribution values with largest-remainder (Hamilton) rounding,
 * so the shares sum exactly to `budget`. Negative or non-finite values count as 0; if every value is 0
 * the budget is split equally. Ties in remainders go to the lower index.
 *
 * @example allocateShares([0.5, 0.25, 0.25], 10n) // [5n, 3n, 2n]
 */
export function allocateShares(values: readonly number[], budget: bigint): bigint[] {
  if (budget < 0n) throw new InvalidInputError(`Budget must be non-negative, got ${budget}.`)
  const n = values.length
  if (n === 0) return []
  const clean = values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0))
  const max = Math.max(...clean)
  const weights = max > 0 ? clean.map((v) => BigInt(Math.round((v / max) * SCALE))) : clean.map(() => 1n)
  const W = weights.reduce((a, b) => a + b, 0n)
  const shares = weights.map((w) => (budget * w) / W)
  const remainders = weights.map((w, i) => ({ i, r: (budget * w) % W }))
  let left = budget - shares.reduce((a, b) => a + b, 0n)
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1))
  for (let k = 0; left > 0n; k++, left--) shares[remainders[k % n].i] += 1n
  return shares
}
