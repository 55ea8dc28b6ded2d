import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { describe, expect, it } from 'vitest'
import { aggregateAttestations, parseAttestation, signAttestation, verifyAttestation } from './attestation.js'
import { emptyReputation, recordReputation, reputationRecordSchema, reputationScore } from './reputation.js'
import { signResult, verifySignedResult } from './signed-result.js'

const DAY = 24 * 3600_000
const key = () => ed25519.utils.randomSecretKey()

describe('reputation', () => {
  it('starts at 0.5, rises with valid work, falls hard on fraud, and forgets with time', () => {
    let r = emptyReputation(0)
    expect(reputationScore(r, 0)).toBe(0.5)
    for (let i = 0; i < 50; i++) r = recordReputation(r, 'valid', i * 1000)
    const good = reputationScore(r, 50_000)
    expect(good).toBeGreaterThan(0.95)
    const bad = recordReputation(r, 'invalid', 50_000)
    expect(reputationScore(bad, 50_000)).toBeLessThan(0.85)
    expect(bad).toMatchObject({ valid: 50, invalid: 1, timeout: 0 })
    // Old history fades toward the prior.
    expect(reputationScore(r, 365 * DAY)).toBeLessThan(0.6)
    expect(reputationRecordSchema.parse(JSON.parse(JSON.stringify(bad)))).toEqual(bad)
  })
})

describe('signed results and attestations', () => {
  it('signs and verifies results; tampering fails', () => {
    const r = signResult('task-1', 'ab'.repeat(32), key())
    expect(verifySignedResult(r)).toBe(true)
    expect(verifySignedResult({ ...r, outputHash: 'cd'.repeat(32) })).toBe(false)
    expect(verifySignedResult({ ...r, signature: 'zz' })).toBe(false)
  })

  it('weighs attestations by stake and ignores Sybils, self-attestation, forgeries and stale ones', () => {
    const now = 100 * DAY
    const provider = 'provider-1'
    const [k1, k2, sybil] = [key(), key(), key()]
    const counts = { valid: 10, invalid: 0, timeout: 0 }
    const a1 = signAttestation({ provider, score: 0.9, counts, time: now - DAY }, k1)
    const a2 = signAttestation({ provider, score: 0.3, counts, time: now - DAY }, k2)
    const s = signAttestation({ provider, score: 0, counts, time: now }, sybil)
    const forged = { ...a1, score: 0.1 }
    const stale = signAttestation({ provider, score: 0, counts, time: now - 90 * DAY }, k2)
    const stake: Record<string, bigint> = {
      [bytesToHex(ed25519.getPublicKey(k1))]: 3000n,
      [bytesToHex(ed25519.getPublicKey(k2))]: 1000n,
    }
    const agg = aggregateAttestations([a1, a2, s, forged, stale], {
      provider,
      now,
      stakeOf: (a) => stake[a] ?? 0n,
    })
    expect(agg.score).toBeCloseTo(0.75, 6) // (0.9*3000 + 0.3*1000) / 4000
    expect(agg.weight).toBe(4000n)
    expect(agg.rejected.map((r) => r.reason).sort()).toEqual(['bad signature', 'no stake', 'too old'])
    expect(verifyAttestation(a1)).toBe(true)
    const bytes = new TextEncoder().encode(JSON.stringify(a1))
    expect(parseAttestation(bytes)).toEqual(a1)
    expect(() => parseAttestation(new Uint8Array(5000))).toThrow(
      expect.objectContaining({ name: 'MessageTooLargeError' }),
    )
    expect(() => parseAttestation(new TextEncoder().encode('{"score":2}'))).toThrow(
      expect.objectContaining({ name: 'InvalidInputError' }),
    )
  })
})
