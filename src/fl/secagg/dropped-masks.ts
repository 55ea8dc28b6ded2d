import { ringAddInto, ringSubInto } from './fixedPoint.js'
import { deriveMaskSeed } from './keys.js'
import { expandMask } from './prg.js'

/**
 * A dropped holder's pairwise masks, which the aggregator removes: its mask key (reconstructed from the
 * survivors' shares) and the surviving neighbours it paired with.
 */
export interface DroppedMasks {
  owner: string
  secretKey: Uint8Array
  survivors: { id: string; publicKey: Uint8Array }[]
}

/** Pairwise masks to remove, counted: one key agreement and one vector expansion each. */
export const maskPairs = (dropped: readonly DroppedMasks[]) =>
  dropped.reduce((n, d) => n + d.survivors.length, 0)

/**
 * What to add to the survivors' sum (in Z/2^32) to remove the pairwise masks they shared with dropped
 * holders: a survivor added +mask where its id sorts before the dropped holder's, −mask otherwise.
 */
export function droppedMaskCorrection(
  dropped: readonly DroppedMasks[],
  session: string,
  length: number,
): Uint32Array {
  const out = new Uint32Array(length)
  for (const d of dropped) {
    for (const s of d.survivors) {
      const seed = deriveMaskSeed(d.secretKey, s.publicKey, { session, a: d.owner, b: s.id })
      if (s.id < d.owner) ringSubInto(out, expandMask(seed, length))
      else ringAddInto(out, expandMask(seed, length))
    }
  }
  return out
}
