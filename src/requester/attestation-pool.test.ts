import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { type Attestation, signAttestation } from '../verify/attestation.js'
import { emptyReputation, recordReputation } from '../verify/reputation.js'
import {
  AttestationPool,
  attesterPeerId,
  blendReputation,
  MAX_ATTESTATION_MESSAGE_BYTES,
  parseAttestationMessage,
} from './attestation-pool.js'

const NOW = 1_800_000_000_000

async function attester() {
  const key = await generateKeyPair('Ed25519')
  const peerId = peerIdFromPrivateKey(key).toString()
  const attest = (provider: string, score: number, time = NOW - 1000): Attestation =>
    signAttestation(
      { provider, score, counts: { valid: 1, invalid: 0, timeout: 0 }, time },
      key.raw.slice(0, 32),
    )
  return { peerId, attest }
}

function pool(stakes: Record<string, bigint>, self = 'self-peer') {
  let lookups = 0
  const p = new AttestationPool({
    self,
    now: () => NOW,
    stakeOfPeer: async (peer) => {
      lookups++
      return stakes[peer] ?? 0n
    },
  })
  return { p, lookups: () => lookups }
}

describe('AttestationPool', () => {
  it('signs with the libp2p key: the attester maps back to the signer’s peer id', async () => {
    const a = await attester()
    const provider = (await attester()).peerId
    expect(attesterPeerId(a.attest(provider, 1).attester)).toBe(a.peerId)
  })

  it('weighs attested scores by the attester’s stake', async () => {
    const [rich, poor] = [await attester(), await attester()]
    const provider = (await attester()).peerId
    const { p } = pool({ [rich.peerId]: 300n, [poor.peerId]: 100n })
    expect(await p.add(rich.attest(provider, 0.2))).toBe('kept')
    expect(await p.add(poor.attest(provider, 1))).toBe('kept')
    const agg = p.aggregate(provider)
    expect(agg.score).toBeCloseTo(0.4, 6)
    expect(agg.weight).toBe(400n)
    expect(agg.used).toBe(2)
  })

  it('drops forged, self, own, zero-stake, stale, future and older attestations', async () => {
    const [a, b, sybil] = [await attester(), await attester(), await attester()]
    const provider = (await attester()).peerId
    const { p, lookups } = pool({ [a.peerId]: 100n, [b.peerId]: 100n }, b.peerId)
    const forged = { ...a.attest(provider, 0.1), score: 0.9 }
    expect(await p.add(forged)).toBe('bad signature')
    expect(await p.add(a.attest(a.peerId, 1))).toBe('self-attestation')
    expect(await p.add(b.attest(provider, 1))).toBe('own attestation')
    expect(await p.add(a.attest(b.peerId, 0.25))).toBe('kept') // about this node: how others see it
    expect(await p.add(sybil.attest(provider, 0))).toBe('no stake')
    expect(await p.add(a.attest(provider, 0, NOW - 8 * 24 * 3600_000))).toBe('too old')
    expect(await p.add(a.attest(provider, 0, NOW + 3600_000))).toBe('from the future')
    expect(await p.add(a.attest(provider, 0.7, NOW - 10))).toBe('kept')
    expect(await p.add(a.attest(provider, 0.1, NOW - 20))).toBe('not newer')
    expect(p.aggregate(provider).score).toBeCloseTo(0.7, 6)
    expect(p.aggregate(provider).used).toBe(1)
    // stakes are cached: one lookup for `sybil`, one for `a`
    expect(lookups()).toBe(2)
    // what others say about this node is shown to it, never blended into its view of itself
    expect(p.seenByOthers()).toEqual({
      score: 0.25,
      attesters: 1,
      attestedStake: '100',
      counts: { valid: 1, invalid: 0, timeout: 0 },
      latest: NOW - 1000,
    })
    expect(p.providers()).toEqual([provider])
    expect(p.reputation(b.peerId, emptyReputation(NOW)).attested).toBeNull()
  })

  it('keeps a bounded number of entries', async () => {
    const a = await attester()
    const p = new AttestationPool({ self: 's', now: () => NOW, maxEntries: 3, stakeOfPeer: async () => 1n })
    for (let i = 0; i < 5; i++) expect(await p.add(a.attest(`provider-${i}`, 1))).toBe('kept')
    expect(p.providers()).toEqual(['provider-2', 'provider-3', 'provider-4'])
  })

  it('bounds registry lookups in flight: a flood of unknown attesters is dropped, not queued', async () => {
    const release = Promise.withResolvers<void>()
    const p = new AttestationPool({
      self: 's',
      now: () => NOW,
      stakeOfPeer: async () => {
        await release.promise
        return 5n
      },
    })
    const flood = await Promise.all(Array.from({ length: 33 }, () => attester()))
    const outcomes = flood.map((a) => p.add(a.attest('provider', 1)))
    expect(await outcomes[32]).toBe('too many stake lookups')
    release.resolve()
    expect(await Promise.all(outcomes.slice(0, 32))).toEqual(Array(32).fill('kept'))
    expect(p.aggregate('provider').used).toBe(32)
  })

  it('blends: attested alone without own history, own dominating with it', async () => {
    const a = await attester()
    const provider = (await attester()).peerId
    const { p } = pool({ [a.peerId]: 1n })
    await p.add(a.attest(provider, 0.1))
    const none = p.reputation(provider, emptyReputation(NOW))
    expect(none).toMatchObject({ own: 0.5, ownEvents: 0, attested: 0.1, attesters: 1, effective: 0.1 })
    let own = emptyReputation(NOW)
    for (let i = 0; i < 10; i++) own = recordReputation(own, 'valid', NOW)
    const r = p.reputation(provider, own)
    expect(r.effective).toBe(r.own)
    expect(blendReputation(0.9, 2, 0.1)).toBeCloseTo(0.6 * 0.9 + 0.4 * 0.1, 9)
    expect(blendReputation(0.9, 1, undefined)).toBe(0.9)
  })
})

describe('parseAttestationMessage', () => {
  it('rejects oversized, non-JSON and invalid messages', async () => {
    const a = await attester()
    const ok = new TextEncoder().encode(JSON.stringify({ v: 1, attestations: [a.attest('p', 1)] }))
    expect(parseAttestationMessage(ok)).toHaveLength(1)
    expect(() => parseAttestationMessage(new Uint8Array(MAX_ATTESTATION_MESSAGE_BYTES + 1))).toThrow(
      /exceeds/,
    )
    expect(() => parseAttestationMessage(new TextEncoder().encode('{'))).toThrow(/not JSON/)
    const tooMany = { v: 1, attestations: Array.from({ length: 17 }, () => a.attest('p', 1)) }
    expect(() => parseAttestationMessage(new TextEncoder().encode(JSON.stringify(tooMany)))).toThrow(
      /invalid attestation message/,
    )
    const bad = { v: 1, attestations: [{ ...a.attest('p', 1), score: 2 }] }
    expect(() => parseAttestationMessage(new TextEncoder().encode(JSON.stringify(bad)))).toThrow(/invalid/)
  })
})
