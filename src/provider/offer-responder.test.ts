import { describe, expect, it } from 'vitest'
import type { Demand } from '../market/messages.js'
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
    expect(declineReason(demand(), terms({ kinds: ['onnx-inference'] }), now)).toBe('we do not run wasm jobs')
    expect(declineReason(demand({ kind: 'onnx-inference' }), terms({ kinds: ['wasm'] }), now)).toMatch(
      /onnx-inference/,
    )
  })

  it('declines demands that need more memory per task than it grants', () => {
    const big = demand({ minMemoryBytes: 512 << 20 })
    expect(declineReason(big, terms(), now)).toBe('needs more memory per task than we grant')
    expect(declineReason(big, terms({ taskMemoryBytes: 1 << 30 }), now)).toBeUndefined()
  })
})
