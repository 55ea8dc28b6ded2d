import { applyPreprocessing } from '../../data/preprocess.js'
import type { Dataset } from '../../data/schema.js'
import { roundUtility } from '../contribution/round-utility.js'
import { shapleyValues } from '../contribution/shapley.js'
import type { LineageParticipant } from '../lineage/record.js'
import type { FlModel } from '../local-train.js'
import type { ClientUpdate } from '../types.js'

/** A round's contribution shares (fractions summing to 1) and how they were computed. */
export interface RoundShares {
  shares: Record<string, number>
  valuation: 'gtg-shapley' | 'samples'
}

/**
 * Values a round's participants. With individual updates and the owner's validation rows: GTG-Shapley of
 * the FedAvg coalitions on validation loss, positive parts normalized. Otherwise (SecAgg hides the updates,
 * or no validation set): proportional to the declared sample counts. Falls back to samples when no
 * participant has positive value.
 */
export function roundShares(
  participants: LineageParticipant[],
  updates: ClientUpdate[] | undefined,
  model: FlModel,
  global: Float32Array,
  validation: Dataset | undefined,
  seed: number,
): RoundShares {
  const normalize = (values: number[]) => {
    const pos = values.map((v) => (Number.isFinite(v) && v > 0 ? v : 0))
    const total = pos.reduce((a, b) => a + b, 0)
    if (total <= 0) return undefined
    const shares = Object.fromEntries(participants.map((p, i) => [p.peer, pos[i] / total]))
    // Make the floating-point sum exactly 1 by putting the rounding residue on the largest share.
    const keys = Object.keys(shares)
    const top = keys.reduce((a, k) => (shares[k] > shares[a] ? k : a), keys[0])
    shares[top] += 1 - Object.values(shares).reduce((a, b) => a + b, 0)
    return shares
  }
  if (updates && validation && updates.length === participants.length) {
    const x = applyPreprocessing(model.preprocessing, validation.x)
    const u = roundUtility(model, global, updates, { x, y: validation.y })
    const shares = normalize(shapleyValues(updates.length, u, { seed }))
    if (shares) return { shares, valuation: 'gtg-shapley' }
  }
  return { shares: normalize(participants.map((p) => Math.max(p.numSamples, 1)))!, valuation: 'samples' }
}
