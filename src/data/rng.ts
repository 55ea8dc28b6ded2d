/** A seeded pseudo-random generator returning floats in [0, 1). */
export type Rng = () => number

/** mulberry32: a small, fast, seeded 32-bit generator (deterministic across platforms). */
export function createRng(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Fisher–Yates shuffle in place with a seeded generator; returns the array. */
export function shuffleInPlace<T>(items: T[] | Int32Array, rng: Rng): T[] | Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = items[i]
    items[i] = items[j]
    items[j] = t
  }
  return items
}

/** `[0, 1, …, n-1]` shuffled with `seed`. */
export function shuffledIndices(n: number, seed: number): number[] {
  return shuffleInPlace(
    Array.from({ length: n }, (_, i) => i),
    createRng(seed),
  ) as number[]
}

/** A standard normal sample (Box–Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng())
}

/** A Gamma(shape, 1) sample (Marsaglia–Tsang; boosted for shape < 1). */
export function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * (1 - rng()) ** (1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = normal(rng)
      v = 1 + c * x
    } while (v <= 0)
    v = v * v * v
    const u = 1 - rng()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/** A sample from the symmetric Dirichlet(alpha) distribution over `k` outcomes. */
export function dirichlet(k: number, alpha: number, rng: Rng): number[] {
  const g = Array.from({ length: k }, () => gamma(alpha, rng))
  const s = g.reduce((a, b) => a + b, 0)
  return g.map((v) => v / s)
}
