import { describe, expect, it } from 'vitest'
import { createPrivacyAccountant, restorePrivacyAccountant } from './accountant.js'
import { DEFAULT_ORDERS, rdpGaussian, rdpToEpsilon } from './rdp.js'

describe('privacy accountant', () => {
  it('reports the composed Gaussian RDP converted with the standard formula', () => {
    const acc = createPrivacyAccountant({ budget: { epsilon: 100, delta: 1e-5 } })
    expect(acc.spent().epsilon).toBe(0)
    for (let t = 0; t < 20; t++) acc.charge({ noiseMultiplier: 3 })
    const expected = Math.min(...DEFAULT_ORDERS.map((a) => (20 * a) / 18 + Math.log(1e5) / (a - 1)))
    expect(acc.spent().epsilon).toBeCloseTo(expected, 10)
    expect(acc.spent().rounds).toBe(20)
    // and ≥ the continuous optimum ρ + 2√(ρ log 1/δ), ρ = 20/18
    const rho = 20 / 18
    expect(acc.spent().epsilon).toBeGreaterThanOrEqual(rho + 2 * Math.sqrt(rho * Math.log(1e5)))
  })

  it('refuses the round that would exceed the budget, and charges nothing for it', () => {
    // σ = 2, δ = 1e-5: one round costs ε ≈ 2.53, two ≈ 3.7, three ≈ 4.63, four ≈ 5.45
    const acc = createPrivacyAccountant({ budget: { epsilon: 5, delta: 1e-5 } })
    let accepted = 0
    let error: unknown
    for (let t = 0; t < 10 && !error; t++) {
      try {
        acc.charge({ noiseMultiplier: 2 })
        accepted++
      } catch (e) {
        error = e
      }
    }
    expect(accepted).toBe(3)
    expect(error).toMatchObject({ name: 'PrivacyBudgetExceededError' })
    expect(String((error as Error).message)).toMatch(/over the budget ε = 5/)
    const spent = acc.spent()
    expect(spent.rounds).toBe(3)
    expect(spent.epsilon).toBeLessThanOrEqual(5)
    const three = rdpToEpsilon(
      DEFAULT_ORDERS,
      DEFAULT_ORDERS.map((a) => 3 * rdpGaussian(2, a)),
      1e-5,
    )
    expect(spent.epsilon).toBeCloseTo(three.epsilon, 12)
    // a cheaper round (more noise) still fits
    expect(acc.preview({ noiseMultiplier: 20 }).epsilon).toBeLessThan(5)
    expect(acc.charge({ noiseMultiplier: 20 }).rounds).toBe(4)
  })

  it('persists and restores its state, validating it', () => {
    const acc = createPrivacyAccountant({ budget: { epsilon: 8, delta: 1e-5 } })
    acc.charge({ noiseMultiplier: 1.1, sampleRate: 0.5, steps: 3 })
    const copy = restorePrivacyAccountant(JSON.parse(JSON.stringify(acc.state())))
    expect(copy.spent()).toEqual(acc.spent())
    expect(() => restorePrivacyAccountant({ ...acc.state(), rdp: [-1] })).toThrow(
      expect.objectContaining({ name: 'InvalidPrivacyParameterError' }),
    )
  })
})
