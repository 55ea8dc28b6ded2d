import { createRng, shuffleInPlace } from '../../data/rng.js'
import { fedAvg } from '../aggregate/fedavg.js'
import type { ClientUpdate } from '../types.js'

/**
 * Splits holders `0..n-1` into random groups of at least `size` (the last group absorbs the remainder),
 * seeded. Under secure aggregation each group is aggregated separately, so whoever aggregates learns only
 * group sums, never one holder's update (as long as every group has ≥ 2 honest members).
 */
export function randomGroups(n: number, size: number, seed: number): number[][] {
  if (size < 1) throw new RangeError(`group size must be ≥ 1, got ${size}`)
  const order = shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    createRng(seed),
  ) as number[]
  const count = Math.max(1, Math.floor(n / size))
  const groups: number[][] = Array.from({ length: count }, () => [])
  order.forEach((h, k) => {
    groups[Math.min(Math.floor(k / size), count - 1)].push(h)
  })
  return groups.map((g) => g.sort((a, b) => a - b))
}

/** What secure aggregation of each group reveals: the group's FedAvg and its total sample count. */
export function groupUpdates(updates: readonly ClientUpdate[], groups: readonly number[][]): ClientUpdate[] {
  return groups.map((g) => ({
    holder: g.map((i) => updates[i].holder).join('+'),
    weights: fedAvg(g.map((i) => updates[i])),
    numSamples: g.reduce((s, i) => s + updates[i].numSamples, 0),
  }))
}

/**
 * Spreads each group's value over its members in proportion to their sample counts (which FedAvg reveals
 * anyway); returns one value per holder.
 */
export function splitGroupValues(
  groups: readonly number[][],
  groupValues: readonly number[],
  sampleCounts: readonly number[],
): number[] {
  const out = new Array<number>(sampleCounts.length).fill(0)
  groups.forEach((g, k) => {
    const total = g.reduce((s, i) => s + sampleCounts[i], 0)
    for (const i of g)
      out[i] = total > 0 ? (groupValues[k] * sampleCounts[i]) / total : groupValues[k] / g.length
  })
  return out
}
