import { randomBytes } from '@noble/hashes/utils.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { combineShares, SHAMIR_PRIME, type ShamirShare, splitSecret } from './shamir.js'

const toBig = (b: Uint8Array) => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n)

describe('Shamir secret sharing over 2^256 + 297', () => {
  it('any t of n shares reconstruct the secret', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (t, extra, secret) => {
          const xs = Array.from({ length: t + extra }, (_, i) => i + 1)
          const ys = splitSecret(secret, xs, t)
          const shares: ShamirShare[] = xs.map((x, i) => ({ x, y: ys[i] }))
          const subset = fc.sample(fc.shuffledSubarray(shares, { minLength: t, maxLength: t }), 1)[0]
          expect(combineShares(subset, t)).toEqual(secret)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('reconstructs with SecAgg+-sized thresholds at scattered and at the largest points (exact products past 2^53)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 65, maxLength: 80 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (xs, secret) => {
          const ys = splitSecret(secret, xs, 65)
          const shares: ShamirShare[] = xs.map((x, i) => ({ x, y: ys[i] }))
          expect(combineShares(shares.slice(-65), 65)).toEqual(secret)
        },
      ),
      { numRuns: 20 },
    )
    const top = Array.from({ length: 65 }, (_, i) => 1_000_000 - i)
    const secret = new Uint8Array(32).fill(0xff) // the largest secret: all of its 256 bits set
    const ys = splitSecret(secret, top, 65)
    expect(combineShares(top.map((x, i) => ({ x, y: ys[i] })).reverse(), 65)).toEqual(secret)
  })

  it('refuses fewer than t shares', () => {
    const ys = splitSecret(randomBytes(32), [1, 2, 3, 4], 3)
    expect(() =>
      combineShares(
        [
          { x: 1, y: ys[0] },
          { x: 2, y: ys[1] },
        ],
        3,
      ),
    ).toThrow(expect.objectContaining({ name: 'TooFewSurvivorsError' }))
  })

  it('t − 1 shares are consistent with every secret (they carry no information)', () => {
    // With t = 3: shares at x = 1, 2 plus ANY claimed secret at x = 0 define a degree-2 polynomial; its
    // value at x = 3 is a valid third share for that secret. So the two shares cannot rule out any secret.
    const secret = randomBytes(32)
    const ys = splitSecret(secret, [1, 2, 3], 3)
    const forged = randomBytes(32)
    const p = SHAMIR_PRIME
    const y1 = toBig(ys[0])
    const y2 = toBig(ys[1])
    const s = toBig(forged)
    // Lagrange through (0,s),(1,y1),(2,y2) evaluated at 3: s·1 − 3·y1 + 3·y2
    const y3 = (((s - 3n * y1 + 3n * y2) % p) + p) % p
    const y3Bytes = new Uint8Array(33)
    for (let i = 32, v = y3; i >= 0; i--, v >>= 8n) y3Bytes[i] = Number(v & 0xffn)
    const shares = [
      { x: 1, y: ys[0] },
      { x: 2, y: ys[1] },
      { x: 3, y: y3Bytes },
    ]
    expect(combineShares(shares, 3)).toEqual(forged)
    expect(forged).not.toEqual(secret)
    // Interpolating only t − 1 real shares as if t were 2 gives a wrong value: out of the 32-byte range about
    // half the time (p ≈ 2^256), else a wrong secret, which the protocol catches by its commitment check.
    let wrong: Uint8Array | 'out of range'
    try {
      wrong = combineShares(shares.slice(0, 2), 2)
    } catch (e) {
      expect(e).toMatchObject({ name: 'ReconstructionError' })
      wrong = 'out of range'
    }
    expect(wrong).not.toEqual(secret)
  })

  it('validates inputs', () => {
    expect(() => splitSecret(new Uint8Array(31), [1, 2], 2)).toThrow(/32 bytes/)
    expect(() => splitSecret(new Uint8Array(32), [1, 1], 2)).toThrow(/duplicate/)
    expect(() => splitSecret(new Uint8Array(32), [0, 1], 2)).toThrow(/share point/)
    expect(() => splitSecret(new Uint8Array(32), [1, 2], 3)).toThrow(/threshold/)
  })
})
