/**
 * A small seeded generator (mulberry32) whose whole state is one number, so policies that draw random
 * checks stay serialisable and simulations reproducible. Not for keys: the requester's choice of which
 * tasks to check must merely be unpredictable to providers, who never see this state.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** The current state, to store in a snapshot. */
  readonly state: number
}

/** Creates a generator from a 32-bit seed (default: from crypto.getRandomValues). */
export function createRng(seed?: number): Rng {
  let s = (seed ?? crypto.getRandomValues(new Uint32Array(1))[0]) >>> 0
  return {
    next() {
      s = (s + 0x6d2b79f5) >>> 0
      let t = s
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    },
    get state() {
      return s
    },
  }
}
