import { describe, expect, it } from 'vitest'
import { compareExact, compareFloats, compareTensors, outputHash } from './compare.js'

const f32 = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer)
const f64 = (...xs: number[]) => new Uint8Array(new Float64Array(xs).buffer)

describe('result comparison', () => {
  it('hashes and compares exactly', () => {
    expect(outputHash(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(compareExact(f32(1, 2), f32(1, 2))).toBe(true)
    expect(compareExact(f32(1, 2), f32(1, 2.0000002))).toBe(false)
  })

  it('accepts float32 noise of reordered sums and rejects real differences', () => {
    // Summing in a different order (what different SIMD kernels do) changes the last bits.
    const xs = Array.from({ length: 4096 }, (_, i) => Math.fround(Math.sin(i) * 0.37))
    let fwd = Math.fround(0)
    for (const x of xs) fwd = Math.fround(fwd + x)
    let bwd = Math.fround(0)
    for (const x of [...xs].reverse()) bwd = Math.fround(bwd + x)
    expect(fwd).not.toBe(bwd)
    expect(compareFloats(f32(fwd, 1), f32(bwd, 1), 'float32').equal).toBe(true)
    const c = compareFloats(f32(1, 2, 3), f32(1, 2.01, 3), 'float32')
    expect(c).toMatchObject({ equal: false })
    expect(c.reason).toContain('element 1')
  })

  it('handles NaN, infinities, float64, lengths and overrides', () => {
    expect(compareFloats(f32(Number.NaN), f32(Number.NaN), 'float32').equal).toBe(true)
    expect(compareFloats(f32(Number.NaN), f32(0), 'float32').equal).toBe(false)
    expect(compareFloats(f32(Number.POSITIVE_INFINITY), f32(Number.NEGATIVE_INFINITY), 'float32').equal).toBe(
      false,
    )
    expect(compareFloats(f64(1), f64(1 + 1e-12), 'float64').equal).toBe(true)
    expect(compareFloats(f64(1), f64(1 + 1e-6), 'float64').equal).toBe(false)
    expect(compareFloats(f32(1, 2), f32(1), 'float32').equal).toBe(false)
    expect(compareFloats(f32(1), f32(1.01), 'float32', { abs: 0, rel: 0.02 }).equal).toBe(true)
  })

  it('compares named tensors: tolerance for floats, exact for integers', () => {
    const a = {
      y: { dtype: 'float32' as const, dims: [2], data: f32(1, 2) },
      k: { dtype: 'int32' as const, dims: [1], data: new Uint8Array([1, 0, 0, 0]) },
    }
    const b = { y: { dtype: 'float32' as const, dims: [2], data: f32(1.00001, 2) }, k: a.k }
    expect(compareTensors(a, b, { mode: 'tolerance' }).equal).toBe(true)
    expect(compareTensors(a, b, { mode: 'exact' }).equal).toBe(false)
    expect(compareTensors(a, b, { mode: 'tolerance', outputs: { y: { rel: 0, abs: 0 } } }).equal).toBe(false)
    const c = { ...b, k: { ...a.k, data: new Uint8Array([2, 0, 0, 0]) } }
    expect(compareTensors(a, c, { mode: 'tolerance' }).reason).toContain("'k'")
    expect(compareTensors(a, { y: a.y }, { mode: 'tolerance' }).equal).toBe(false)
  })
})
