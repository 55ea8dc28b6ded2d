import { describe, expect, it } from 'vitest'
import { encodeTensors } from '../exec/tensor-codec.js'
import { tensorFromValues } from '../exec/tensor-values.js'
import { sha256Hex } from '../store/blob-store.js'
import { VerificationSpecSchema } from './job-spec.js'
import { budgetFactor, policyFor, resultEquality, tensorEquality } from './verification.js'

const spec = (v: object) => VerificationSpecSchema.parse(v)
const answer = (values: number[], labels: number[]) => {
  const body = encodeTensors({
    p: tensorFromValues('float32', [values.length], values),
    label: tensorFromValues('int64', [labels.length], labels),
  })
  return { hash: sha256Hex(body), body }
}

describe('verification spec', () => {
  it('defaults to adaptive and builds the policy each name asks for', () => {
    expect(spec({}).policy).toBe('adaptive')
    expect(policyFor(spec({ policy: 'none' }))).toBeUndefined()
    const r = policyFor(spec({ policy: 'replicate', k: 3, quorum: 2 }))!
    expect(r.plan({ id: '0' }, 'p')).toMatchObject({ replicas: 3, quorum: 2, maxReplicas: 4 })
    expect(policyFor(spec({}))!.plan({ id: '0' }, 'new')).toMatchObject({ replicas: 2, quorum: 2 })
    expect(policyFor(spec({ policy: 'spot', canaryRate: 1 }))!.plan({ id: '0' }, 'p').canary).toBe(true)
    expect(() => policyFor(spec({ policy: 'replicate', k: 2, quorum: 3 }))).toThrow(RangeError)
    expect(() => spec({ policy: 'majority' })).toThrow()
  })

  it('sizes the escrow for the most a policy can pay', () => {
    expect(budgetFactor(spec({ policy: 'none' }))).toBe(1)
    expect(budgetFactor(spec({ policy: 'replicate', k: 3 }))).toBe(4)
    expect(budgetFactor(spec({ policy: 'adaptive+spot' }))).toBe(4)
  })

  it('compares floats within tolerance, integers exactly, garbage never', () => {
    const eq = tensorEquality()
    const a = answer([0.5, 0.25], [1, 0])
    expect(eq(a, answer([0.5 + 1e-7, 0.25], [1, 0]))).toBe(true)
    expect(eq(a, answer([0.6, 0.25], [1, 0]))).toBe(false)
    expect(eq(a, answer([0.5, 0.25], [0, 0]))).toBe(false)
    expect(eq(a, { hash: 'x', body: new Uint8Array([1, 2, 3]) })).toBe(false)
    expect(tensorEquality({ abs: 0.2 })(a, answer([0.6, 0.25], [1, 0]))).toBe(true)
  })

  it('compares wasm results by exact hash only, even where a float tolerance would accept them', () => {
    const a = answer([0.5, 0.25], [1, 0])
    const near = answer([0.5 + 1e-7, 0.25], [1, 0])
    const verification = spec({ tolerance: { abs: 1 } })
    expect(resultEquality({ kind: 'onnx-inference', verification })(a, near)).toBe(true)
    expect(resultEquality({ kind: 'wasm', verification })(a, near)).toBe(false)
    expect(resultEquality({ kind: 'wasm', verification })(a, { ...a })).toBe(true)
  })
})

describe('providersPerShard', () => {
  it('is what one shard’s checks need: replicate k, adaptive 2, none and spot 1', async () => {
    const { providersPerShard } = await import('./verification.js')
    expect(providersPerShard({ policy: 'replicate', k: 4 })).toBe(4)
    expect(providersPerShard({ policy: 'replicate' })).toBe(3)
    expect(providersPerShard({ policy: 'adaptive' })).toBe(2)
    expect(providersPerShard({ policy: 'adaptive+spot' })).toBe(2)
    expect(providersPerShard({ policy: 'spot' })).toBe(1)
    expect(providersPerShard({ policy: 'none' })).toBe(1)
  })
})
