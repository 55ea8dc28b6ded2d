import { describe, expect, it } from 'vitest'
import type { Demand } from '../protocols/market-messages.js'
import { declineReason } from './offer-responder.js'
import type { ProviderTerms } from './types.js'

const now = 1_000_000
const demand = (extra: Partial<Demand> = {}): Demand => ({
  v: 1,
  demandId: 'demand-1',
  requester: '12D3KooWPBMDAFwKB12A4jVaMbLnmVruvy2XESJp6aadpN7qnWiA',
  addrs: [],
  kind: 'wasm',
  modelHash: 'a'.repeat(64),
  modelBytes: 25_000,
  costPerSample: 20,
  samples: 64,
  maxPricePerUnit: '10',
  deadline: now + 60_000,
  minMemoryBytes: 32 << 20,
  signature: 'x'.repeat(64),
  ...extra,
})
const terms = (extra: Partial<ProviderTerms> = {}): ProviderTerms => ({
  threads: 2,
  pricePerUnit: 1n,
  maxModelBytes: 1 << 29,
  maxTaskBytes: 1 << 26,
  kinds: ['onnx-inference', 'wasm'],
  taskMemoryBytes: 256 << 20,
  ...extra,
})

describe('declineReason', () => {
  it('offers for a kind the provider runs', () => {
    expect(declineReason(demand(), terms(), now)).toBeUndefined()
    expect(declineReason(demand({ kind: 'onnx-inference' }), terms(), now)).toBeUndefined()
  })

  it('declines kinds outside its policy', () => {
    expect(declineReason(demand(), terms({ kinds: ['onnx-inference'] }), now)).toEqual({
      reason: 'kind',
      detail: 'we do not run wasm jobs (we run onnx-inference)',
    })
    expect(
      declineReason(demand({ kind: 'onnx-inference' }), terms({ kinds: ['wasm'] }), now)?.detail,
    ).toMatch(/onnx-inference/)
  })

  it('declines demands that need more memory per task than it grants', () => {
    const big = demand({ minMemoryBytes: 512 << 20 })
    expect(declineReason(big, terms(), now)?.reason).toBe('memory')
    expect(declineReason(big, terms({ taskMemoryBytes: 1 << 30 }), now)).toBeUndefined()
  })

  it('declines a job that needs a GPU when its models run on the CPU (no GPU, or a failed probe)', () => {
    const gpuJob = demand({ kind: 'onnx-inference', executionProvider: 'webgpu' })
    expect(declineReason(gpuJob, terms(), now)).toEqual({
      reason: 'hardware',
      detail: 'the job needs webgpu; we run models on the cpu',
    })
    expect(declineReason(gpuJob, terms({ executionProvider: 'cpu' }), now)?.reason).toBe('hardware')
    expect(declineReason(gpuJob, terms({ executionProvider: 'webgpu' }), now)).toBeUndefined()
    expect(
      declineReason(demand({ kind: 'onnx-inference' }), terms({ executionProvider: 'webgpu' }), now),
    ).toBeUndefined()
  })
})

describe('declineReason: price and size name the numbers', () => {
  it('a max price below our ask declines with the ask', () => {
    expect(declineReason(demand({ maxPricePerUnit: '2' }), terms({ pricePerUnit: 3n }), now)).toEqual({
      reason: 'price',
      detail:
        'our ask 0.000000000000003 MUT per 1,000 units is above the max price 0.000000000000002 MUT per 1,000 units',
      ask: 3n,
    })
    expect(declineReason(demand({ maxPricePerUnit: '3' }), terms({ pricePerUnit: 3n }), now)).toBeUndefined()
  })

  it('a model above our limit declines; an expired demand gets no answer at all', () => {
    expect(declineReason(demand({ modelBytes: 2 << 29 }), terms(), now)?.reason).toBe('model-size')
    expect(declineReason(demand({ deadline: now }), terms({ kinds: [] }), now)).toBeUndefined()
  })
})
