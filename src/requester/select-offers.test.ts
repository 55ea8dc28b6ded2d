import { describe, expect, it } from 'vitest'
import type { Offer } from '../protocols/market-messages.js'
import { rankCandidates } from './select-offers.js'

const offer = (provider: string, price: string, expires = Date.now() + 10_000): Offer => ({
  v: 1,
  demandId: 'demand-0001',
  provider,
  ethAddress: `0x${'1'.repeat(40)}`,
  pricePerUnit: price,
  threads: 1,
  expires,
  signature: 'x'.repeat(20),
})

describe('rankCandidates', () => {
  it('prefers cheaper, then better reputation, then lower latency; drops over-price and expired offers', () => {
    const ranked = rankCandidates(
      [
        { offer: offer('expensive', '9'), reputation: 0.5, latencyMs: 1 },
        { offer: offer('cheap-slow', '2'), reputation: 0.5, latencyMs: 150 },
        { offer: offer('cheap-fast', '2'), reputation: 0.5, latencyMs: 1 },
        { offer: offer('cheap-trusted', '2'), reputation: 1, latencyMs: 150 },
        { offer: offer('too-dear', '11'), reputation: 1, latencyMs: 1 },
        { offer: offer('expired', '1', Date.now() - 1), reputation: 1, latencyMs: 1 },
      ],
      10n,
    )
    expect(ranked.map((c) => c.offer.provider)).toEqual([
      'cheap-trusted',
      'cheap-fast',
      'cheap-slow',
      'expensive',
    ])
  })

  it('ranks offers on the preferred execution provider first, the rest after them by the same score', () => {
    const candidates = [
      { offer: offer('cpu-cheap', '1'), reputation: 1, latencyMs: 1, executionProvider: 'cpu' },
      { offer: offer('gpu-dear', '8'), reputation: 0.5, latencyMs: 100, executionProvider: 'webgpu' },
      { offer: offer('gpu-cheap', '3'), reputation: 0.5, latencyMs: 100, executionProvider: 'webgpu' },
      { offer: offer('no-advert', '1'), reputation: 1, latencyMs: 1 },
    ]
    expect(rankCandidates(candidates, 10n, Date.now(), 'webgpu').map((c) => c.offer.provider)).toEqual([
      'gpu-cheap',
      'gpu-dear',
      'cpu-cheap',
      'no-advert',
    ])
    // no preference: the score alone
    expect(rankCandidates(candidates, 10n)[3].offer.provider).toBe('gpu-dear')
  })
})
