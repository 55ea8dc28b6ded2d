import { describe, expect, it } from 'vitest'
import { inOfferSample, offerSampleRate } from './offer-sample.js'

describe('offer sampling', () => {
  it('asks everyone in a small network and about max(16, 4·want) providers in a large one', () => {
    expect(offerSampleRate(3, 2)).toBe(1)
    expect(offerSampleRate(16, 2)).toBe(1)
    expect(offerSampleRate(1000, 2)).toBeCloseTo(0.016)
    expect(offerSampleRate(10_000, 10)).toBeCloseTo(0.004)
  })

  it('picks a share close to the rate, a different subset per demand, the same for every checker', () => {
    const providers = Array.from({ length: 10_000 }, (_, i) => `12D3KooW${i}`)
    const a = providers.filter((p) => inOfferSample('demand-a', p, 0.01))
    const b = providers.filter((p) => inOfferSample('demand-b', p, 0.01))
    expect(a.length).toBeGreaterThan(60) // mean 100, sd ≈ 10
    expect(a.length).toBeLessThan(140)
    expect(a.filter((p) => b.includes(p)).length).toBeLessThan(10) // independent subsets overlap ~1
    expect(providers.filter((p) => inOfferSample('demand-a', p, 0.01))).toEqual(a)
    expect(inOfferSample('d', 'p', undefined)).toBe(true)
    expect(inOfferSample('d', 'p', 1)).toBe(true)
  })
})
