import { createRng, shuffleInPlace } from '../../data/rng.js'
import type { Aggregator, ClientUpdate } from '../types.js'
import { checkUpdates } from './check.js'
import { fedAvg } from './fedavg.js'

/**
 * Bucketing (Karimireddy, He & Jaggi, ICLR 2022) for heterogeneous (non-IID) holders: each round the updates
 * are shuffled into buckets of `size`, each bucket is averaged (sample-weighted), and the robust `inner`
 * aggregator combines the bucket means. Averaging first shrinks the honest holders' spread, which is what
 * biases median / trimmed mean / Krum on non-IID data; a Byzantine update still spoils only its bucket.
 * The shuffle is seeded and advances every call.
 */
export function bucketing(size: number, inner: Aggregator, seed = 0): Aggregator {
  const rng = createRng(seed)
  return (updates) => {
    checkUpdates(updates)
    const order = shuffleInPlace([...updates], rng) as ClientUpdate[]
    const buckets: ClientUpdate[] = []
    for (let b = 0; b < order.length; b += size) {
      const group = order.slice(b, b + size)
      buckets.push({
        holder: group.map((u) => u.holder).join('+'),
        weights: fedAvg(group),
        numSamples: group.reduce((s, u) => s + u.numSamples, 0),
      })
    }
    return inner(buckets)
  }
}
