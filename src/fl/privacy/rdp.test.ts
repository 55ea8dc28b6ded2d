import { describe, expect, it } from 'vitest'
import { DEFAULT_ORDERS, rdpGaussian, rdpSubsampledGaussian, rdpToEpsilon } from './rdp.js'

describe('RDP of the Gaussian mechanism', () => {
  it('is α/(2σ²), and composes additively over T rounds', () => {
    expect(rdpGaussian(2, 3)).toBe(3 / 8)
    expect(rdpSubsampledGaussian(1, 0.5, 10)).toBe(20)
  })

  it('matches the zCDP closed form ρ + 2√(ρ log(1/δ)) when minimised over a fine grid of orders', () => {
    // T rounds of σ: RDP(α) = αρ with ρ = T/(2σ²); min_α αρ + L/(α−1) = ρ + 2√(ρL) at α* = 1 + √(L/ρ).
    for (const [sigma, T, delta] of [
      [1, 1, 1e-5],
      [4, 50, 1e-5],
      [10, 100, 1e-6],
    ]) {
      const rho = T / (2 * sigma ** 2)
      const L = Math.log(1 / delta)
      const closed = rho + 2 * Math.sqrt(rho * L)
      const orders = Array.from({ length: 5000 }, (_, i) => 1.01 + i * 0.01)
      const { epsilon } = rdpToEpsilon(
        orders,
        orders.map((a) => T * rdpGaussian(sigma, a)),
        delta,
      )
      expect(epsilon).toBeGreaterThanOrEqual(closed - 1e-12)
      expect(epsilon).toBeLessThan(closed * 1.001)
    }
    // σ = 1, one round, δ = 1e-5: ε = 0.5 + 2√(0.5 · ln 1e5) ≈ 5.2983
    const one = rdpToEpsilon(
      DEFAULT_ORDERS,
      DEFAULT_ORDERS.map((a) => rdpGaussian(1, a)),
      1e-5,
    )
    expect(one.epsilon).toBeCloseTo(5.2983, 2)
  })

  it('subsampled: order 2 has the closed form log(1 + q²(e^{1/σ²} − 1))', () => {
    for (const [q, sigma] of [
      [0.01, 1],
      [0.1, 0.7],
      [0.5, 2],
    ]) {
      expect(rdpSubsampledGaussian(q, sigma, 2)).toBeCloseTo(
        Math.log1p(q * q * Math.expm1(1 / sigma ** 2)),
        12,
      )
    }
  })

  it('subsampling amplifies privacy, monotonically in q', () => {
    const a = 8
    const values = [0.001, 0.01, 0.1, 0.5, 0.9, 1].map((q) => rdpSubsampledGaussian(q, 1.2, a))
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1])
    expect(values.at(-1)).toBe(rdpGaussian(1.2, a))
  })

  it('reproduces published accountant values', () => {
    // Opacus/TF-Privacy docstring: [(q=1e-5, σ=1, 10 steps), (q=1e-4, σ=3, 4 steps)], orders 2..32,
    // δ = 1e-5, Balle et al. 2020 conversion → ε ≈ 0.336 at order 23.
    const ints = Array.from({ length: 31 }, (_, i) => i + 2)
    const rdp = ints.map(
      (a) => 10 * rdpSubsampledGaussian(1e-5, 1, a) + 4 * rdpSubsampledGaussian(1e-4, 3, a),
    )
    const doc = rdpToEpsilon(ints, rdp, 1e-5, 'balle2020')
    expect(doc.order).toBe(23)
    expect(doc.epsilon).toBeCloseTo(0.336, 3)
    // Opacus accountants_test: σ = 1.5, q = 0.04, 2250 steps, δ = 1e-5 → ε = 7.32911117143 (with exact
    // fractional orders). Ours charges fractional orders at ⌈α⌉, so it must be an upper bound, and tight.
    const big = rdpToEpsilon(
      DEFAULT_ORDERS,
      DEFAULT_ORDERS.map((a) => 2250 * rdpSubsampledGaussian(0.04, 1.5, a)),
      1e-5,
      'balle2020',
    )
    expect(big.epsilon).toBeGreaterThanOrEqual(7.32911117143)
    expect(big.epsilon).toBeLessThan(7.32911117143 * 1.001)
  })

  it('rejects invalid parameters', () => {
    expect(() => rdpGaussian(0, 2)).toThrow(expect.objectContaining({ name: 'InvalidPrivacyParameterError' }))
    expect(() => rdpSubsampledGaussian(1.5, 1, 2)).toThrow(/sampleRate/)
    expect(() => rdpToEpsilon([2], [1], 0)).toThrow(/delta/)
  })
})
