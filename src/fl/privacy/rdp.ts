import { InvalidPrivacyParameterError } from './errors.js'

/**
 * Default Rényi orders α: 1.1–10.9 in steps of 0.1, 11–63, then 64, 80, 96, 128, 256, 512
 * (the Opacus grid, extended so that small budgets over many rounds still find their optimum).
 */
export const DEFAULT_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => Math.round((1.1 + i * 0.1) * 10) / 10),
  ...Array.from({ length: 53 }, (_, i) => 11 + i),
  64,
  80,
  96,
  128,
  256,
  512,
])

function check(name: string, value: number, ok: boolean, range: string): void {
  if (!ok) throw new InvalidPrivacyParameterError(`${name} must be ${range}, got ${value}`)
}

/** RDP of the Gaussian mechanism with noise multiplier σ (noise std / L2 sensitivity) at order α: α / (2σ²). */
export function rdpGaussian(noiseMultiplier: number, order: number): number {
  check('noiseMultiplier', noiseMultiplier, noiseMultiplier > 0 && Number.isFinite(noiseMultiplier), '> 0')
  check('order', order, order > 1 && Number.isFinite(order), '> 1')
  return order / (2 * noiseMultiplier ** 2)
}

const logAdd = (a: number, b: number): number => {
  if (a === Number.NEGATIVE_INFINITY) return b
  const [lo, hi] = a < b ? [a, b] : [b, a]
  return hi + Math.log1p(Math.exp(lo - hi))
}

/**
 * log A_α for the Poisson-subsampled Gaussian at integer α (Mironov, Talwar & Zhang 2019, §3.3):
 * A_α = Σ_{k=0}^{α} C(α,k) (1−q)^{α−k} q^k exp((k² − k) / (2σ²)), summed in log space.
 */
function logAInteger(q: number, sigma: number, alpha: number): number {
  let logA = Number.NEGATIVE_INFINITY
  let logBinom = 0 // log C(α, 0)
  for (let k = 0; k <= alpha; k++) {
    if (k > 0) logBinom += Math.log((alpha - k + 1) / k)
    const term = logBinom + k * Math.log(q) + (alpha - k) * Math.log1p(-q) + (k * k - k) / (2 * sigma * sigma)
    logA = logAdd(logA, term)
  }
  return logA
}

/**
 * RDP at order α of the Gaussian mechanism applied with Poisson sampling rate q (q = 1: every round).
 * For 0 < q < 1 the exact sum is used at integer α; a fractional α is charged at ⌈α⌉, a sound upper bound
 * because RDP is non-decreasing in α.
 */
export function rdpSubsampledGaussian(sampleRate: number, noiseMultiplier: number, order: number): number {
  check('sampleRate', sampleRate, sampleRate >= 0 && sampleRate <= 1, 'in [0, 1]')
  if (sampleRate === 0) return 0
  if (sampleRate === 1) return rdpGaussian(noiseMultiplier, order)
  check('noiseMultiplier', noiseMultiplier, noiseMultiplier > 0 && Number.isFinite(noiseMultiplier), '> 0')
  check('order', order, order > 1 && order <= 10_000, 'in (1, 10000]')
  const alpha = Math.ceil(order)
  return logAInteger(sampleRate, noiseMultiplier, alpha) / (alpha - 1)
}

/** How RDP is converted to (ε, δ): the classic bound (Mironov 2017) or the tighter one (Balle et al. 2020). */
export type RdpConversion = 'standard' | 'balle2020'

/** An (ε, δ) guarantee and the Rényi order that gave it. */
export interface EpsilonAtOrder {
  epsilon: number
  order: number
}

/**
 * Converts accumulated RDP values at `orders` into ε for the given δ, minimising over the orders.
 * standard: ε = min_α RDP(α) + log(1/δ)/(α − 1).
 * balle2020: ε = min_α RDP(α) + log((α − 1)/α) − (log δ + log α)/(α − 1).
 */
export function rdpToEpsilon(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: RdpConversion = 'standard',
): EpsilonAtOrder {
  check('delta', delta, delta > 0 && delta < 1, 'in (0, 1)')
  if (orders.length !== rdp.length || orders.length === 0) {
    throw new InvalidPrivacyParameterError(
      `orders (${orders.length}) and rdp (${rdp.length}) must match and be non-empty`,
    )
  }
  let best: EpsilonAtOrder = { epsilon: Number.POSITIVE_INFINITY, order: Number.NaN }
  orders.forEach((a, i) => {
    const eps =
      conversion === 'standard'
        ? rdp[i] + Math.log(1 / delta) / (a - 1)
        : rdp[i] + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1)
    if (eps < best.epsilon) best = { epsilon: Math.max(0, eps), order: a }
  })
  return best
}
