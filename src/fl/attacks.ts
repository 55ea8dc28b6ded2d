import type { ClientUpdate } from './types.js'

/** How a simulated holder misbehaves when it sends its update. */
export type UpdateAttack = { kind: 'sign-flip'; scale: number } | { kind: 'scale'; factor: number }

/**
 * Applies an attack to an honest update relative to the round's global weights: `sign-flip` sends
 * `g − scale·(w − g)`, `scale` sends `g + factor·(w − g)`.
 */
export function attackUpdate(update: ClientUpdate, global: Float32Array, attack: UpdateAttack): ClientUpdate {
  const s = attack.kind === 'sign-flip' ? -attack.scale : attack.factor
  const weights = Float32Array.from(update.weights, (w, i) => global[i] + s * (w - global[i]))
  return { ...update, weights }
}
