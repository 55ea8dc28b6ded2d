import { x25519 } from '@noble/curves/ed25519.js'
import { describe, expect, it } from 'vitest'
import { encodeFixedPoint, ringAddInto } from './fixedPoint.js'
import { maskingGraph, plusDegree, plusThreshold } from './graph.js'
import { agree, generateKeyPair, publicKeyOf } from './keys.js'
import { runSecAggRound } from './simulate.js'

const LENGTH = 200
const ids = (n: number) => Array.from({ length: n }, (_, i) => `h${String(i).padStart(3, '0')}`)

function inputsFor(roster: string[]): Map<string, Float64Array> {
  return new Map(roster.map((id) => [id, new Float64Array(LENGTH).map(() => (Math.random() - 0.5) * 8)]))
}

/** The exact fixed-point sum the protocol must produce: Σ encode(x_i) mod 2^32 over the included holders. */
function ringSum(inputs: Map<string, Float64Array>, included: string[], holders: number): Uint32Array {
  const sum = new Uint32Array(LENGTH)
  for (const id of included) ringAddInto(sum, encodeFixedPoint(inputs.get(id)!, { holders }))
  return sum
}

describe('SecAgg+ masking graph', () => {
  it('is k-regular, symmetric, the same for every party, and different per session', () => {
    const roster = ids(60)
    const g = maskingGraph(roster, 'round-1', 8)
    const again = maskingGraph([...roster], 'round-1', 8)
    for (const id of roster) {
      const near = g.neighbours(id)
      expect(near).toHaveLength(8)
      expect(near).not.toContain(id)
      for (const other of near) expect(g.adjacent(other, id)).toBe(true)
      expect(again.neighbours(id)).toEqual(near)
    }
    const other = maskingGraph(roster, 'round-2', 8)
    expect(roster.some((id) => other.neighbours(id).join() !== g.neighbours(id).join())).toBe(true)
    expect(maskingGraph(roster, 'r', 58).complete).toBe(false)
    expect(maskingGraph(roster, 'r', 59).complete).toBe(true)
    expect(() => maskingGraph(roster, 'r', 7)).toThrow(/even integer/)
  })

  it('picks a degree that grows like log n and a strict-majority threshold', () => {
    expect(plusThreshold(20)).toBe(11)
    const k500 = plusDegree(500, 0.3)
    const k1000 = plusDegree(1000, 0.3)
    expect(k500).toBeLessThan(499)
    expect(k1000 - k500).toBeLessThan(20) // doubling n adds a few neighbours, not hundreds
    expect(plusDegree(10)).toBe(9) // small rounds: the complete graph
  })
})

describe('SecAgg+ rounds', () => {
  it('recovers the exact fixed-point sum with 30 % of 60 holders dropping mid-round', () => {
    const roster = ids(60)
    const inputs = inputsFor(roster)
    const dropped = roster.filter((_, i) => i % 10 < 3) // 18 holders, spread over the ring
    const degree = 20
    const r = runSecAggRound({
      inputs,
      threshold: plusThreshold(degree),
      degree,
      dropAfterShares: dropped,
      session: 's+',
    })
    const survivors = roster.filter((id) => !dropped.includes(id))
    expect(r.survivors).toEqual(survivors)
    expect(r.dropped).toEqual(dropped)
    expect([...r.encodedSum]).toEqual([...ringSum(inputs, survivors, 60)])
    // each holder sent envelopes to its 20 neighbours only, not to 59 holders
    const envelopesBytes = r.bytesSentByHolder.get(survivors[0])!
    const complete = runSecAggRound({ inputs, threshold: 31, dropAfterShares: dropped, session: 's' })
    expect([...complete.encodedSum]).toEqual([...r.encodedSum])
    expect(envelopesBytes).toBeLessThan(complete.bytesSentByHolder.get(survivors[0])! * 0.75)
  })

  it('tolerates drops at every step, including holders that never answer the unmask request', () => {
    const roster = ids(30)
    const inputs = inputsFor(roster)
    const r = runSecAggRound({
      inputs,
      degree: 12,
      threshold: plusThreshold(12),
      dropAfterKeys: [roster[2]],
      dropAfterShares: [roster[7], roster[19]],
      dropBeforeUnmask: [roster[11]],
    })
    const included = roster.filter((id) => ![roster[2], roster[7], roster[19]].includes(id))
    expect(r.survivors).toEqual(included)
    expect([...r.encodedSum]).toEqual([...ringSum(inputs, included, 30)])
  })

  it('fails naming the holder whose neighbourhood kept too few answering holders', () => {
    const roster = ids(24)
    const inputs = inputsFor(roster)
    const g = maskingGraph(roster, 'x', 4)
    const victim = roster[5]
    // three of its four neighbours drop after sharing: its own seed has 2 shares left, threshold 3
    const drop = g.neighbours(victim).slice(0, 3)
    expect(() =>
      runSecAggRound({ inputs, degree: 4, threshold: 3, session: 'x', dropAfterShares: drop }),
    ).toThrow(expect.objectContaining({ name: 'TooFewSurvivorsError' }))
  })

  it('refuses a threshold larger than a neighbourhood and envelopes to non-neighbours', () => {
    const roster = ids(12)
    const inputs = inputsFor(roster)
    expect(() => runSecAggRound({ inputs, degree: 4, threshold: 6 })).toThrow(/exceeds the 5 holders/)
  })
})

describe('X25519 through node:crypto', () => {
  it('agrees with an independent implementation (noble) and rejects low-order keys', () => {
    const a = generateKeyPair()
    const b = generateKeyPair()
    expect(publicKeyOf(a.secretKey)).toEqual(a.publicKey)
    expect(x25519.getPublicKey(a.secretKey)).toEqual(a.publicKey)
    expect(agree(a.secretKey, b.publicKey)).toEqual(x25519.getSharedSecret(b.secretKey, a.publicKey))
    expect(() => agree(a.secretKey, new Uint8Array(32))).toThrow(
      expect.objectContaining({ name: 'InvalidSecAggMessageError' }),
    )
  })
})
