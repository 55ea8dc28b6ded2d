import { describe, expect, it } from 'vitest'
import type { Decline } from '../protocols/market-messages.js'
import { summarizeDeclines } from './decline-summary.js'

const decline = (provider: string, reason: Decline['reason'], detail: string, ask?: string): Decline => ({
  v: 1,
  demandId: 'demand-1',
  provider,
  reason,
  detail,
  ...(ask ? { ask } : {}),
  signature: 'x'.repeat(64),
})

describe('summarizeDeclines', () => {
  it('names the lowest ask and what to change when every provider asks more than the max price', () => {
    const s = summarizeDeclines([decline('A', 'price', 'a', '5'), decline('B', 'price', 'b', '3')], 2n)
    expect(s).toEqual({
      count: 2,
      lasting: true,
      lowestAsk: 3n,
      message:
        '2 provider(s) declined: price ×2 (lowest ask 0.000000000000003 MUT per 1,000 units, max price 0.000000000000002 MUT per 1,000 units); raise maxPrice to at least 0.000000000000003 (maxPricePerUnit 3)',
    })
  })

  it('CPU-only providers declining a GPU job: lasting, with what to change', () => {
    const s = summarizeDeclines(
      [decline('A', 'hardware', 'the job needs webgpu; we run models on the cpu')],
      2n,
    )
    expect(s.lasting).toBe(true)
    expect(s.message).toBe(
      '1 provider(s) declined: hardware ×1 (the job needs webgpu; we run models on the cpu); providers with a GPU run with --gpu webgpu; or drop providers.executionProvider',
    )
  })

  it('a paused provider makes the refusal passing, and is said so', () => {
    const s = summarizeDeclines(
      [decline('A', 'kind', 'we do not run wasm jobs'), decline('B', 'paused', 'idle-only: owner at work')],
      2n,
    )
    expect(s.lasting).toBe(false)
    expect(s.lowestAsk).toBeUndefined()
    expect(s.message).toBe(
      '2 provider(s) declined: kind ×1 (we do not run wasm jobs), paused ×1 (idle-only: owner at work); paused or busy providers may offer later',
    )
  })

  it('counts a provider once (its latest decline) and nothing is lasting without declines', () => {
    expect(
      summarizeDeclines([decline('A', 'paused', 'p'), decline('A', 'price', 'q', '9')], 1n),
    ).toMatchObject({
      count: 1,
      lasting: true,
      lowestAsk: 9n,
    })
    expect(summarizeDeclines([], 1n).lasting).toBe(false)
  })
})
