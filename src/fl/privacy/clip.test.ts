import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { clipL2, l2Norm } from './clip.js'
import { gaussianNoise } from './gaussian.js'
import { privatizeUpdate } from './privatize.js'

describe('L2 clipping', () => {
  it('bounds the norm by C, keeps the direction, and leaves small vectors alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (v, C) => {
          const { values, norm, scale } = clipL2(v, C)
          expect(l2Norm(values)).toBeLessThanOrEqual(C * (1 + 1e-12))
          if (norm <= C) expect(Array.from(values)).toEqual(v)
          else {
            expect(l2Norm(values)).toBeCloseTo(C, 9)
            for (let i = 0; i < v.length; i++) expect(values[i]).toBeCloseTo(v[i] * scale, 9)
          }
        },
      ),
    )
    const [a, b] = clipL2([3, 4], 1).values
    expect(a).toBeCloseTo(0.6, 12)
    expect(b).toBeCloseTo(0.8, 12)
  })

  it('rejects a bad clip norm or non-finite updates', () => {
    expect(() => clipL2([1], 0)).toThrow(expect.objectContaining({ name: 'InvalidPrivacyParameterError' }))
    expect(() => clipL2([Number.NaN], 1)).toThrow(/NaN/)
  })
})

describe('Gaussian noise', () => {
  it('has mean 0 and the requested standard deviation', () => {
    const n = 200_000
    const x = gaussianNoise(n, 3)
    const mean = x.reduce((a, b) => a + b, 0) / n
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / n)
    expect(Math.abs(mean)).toBeLessThan((5 * 3) / Math.sqrt(n))
    expect(Math.abs(sd - 3)).toBeLessThan(0.03)
    const within1 = x.filter((v) => Math.abs(v) < 3).length / n
    expect(within1).toBeCloseTo(0.6827, 2)
  })

  it('privatizeUpdate clips then adds σC noise', () => {
    const update = new Float64Array(50_000).fill(1) // norm ≈ 223.6
    const out = privatizeUpdate(update, { clipNorm: 10, noiseMultiplier: 0.5 })
    expect(out.clipped).toBe(true)
    expect(out.norm).toBeCloseTo(Math.sqrt(50_000), 6)
    const expected = 10 / Math.sqrt(50_000)
    const residual = Array.from(out.values, (v) => v - expected)
    const sd = Math.sqrt(residual.reduce((a, b) => a + b * b, 0) / residual.length)
    expect(sd).toBeGreaterThan(4.9)
    expect(sd).toBeLessThan(5.1)
  })
})
