import { describe, expect, it } from 'vitest'
import { createAggregator } from './aggregator.js'
import { encodeFixedPoint, ringFromBytes } from './fixedPoint.js'
import { createHolder } from './holder.js'
import { runSecAggRound } from './simulate.js'

const LENGTH = 1000

function randomInputs(n: number, length = LENGTH): Map<string, Float64Array> {
  const inputs = new Map<string, Float64Array>()
  for (let h = 0; h < n; h++) {
    const v = new Float64Array(length)
    for (let i = 0; i < length; i++) v[i] = (Math.random() - 0.5) * 20
    inputs.set(`holder-${String(h).padStart(2, '0')}`, v)
  }
  return inputs
}

function plainSum(inputs: Map<string, Float64Array>, only?: string[]): Float64Array {
  const sum = new Float64Array(LENGTH)
  for (const [id, v] of inputs)
    if (!only || only.includes(id)) for (let i = 0; i < LENGTH; i++) sum[i] += v[i]
  return sum
}

function maxError(a: Float64Array, b: Float64Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** Fixed-point precision: each value is rounded to within 2^-17, so n values to within n · 2^-17. */
const tolerance = (n: number) => n * 2 ** -17 + 1e-9

describe('secure aggregation', () => {
  it.each([3, 5, 10])('sums %i holders within fixed-point precision', (n) => {
    const inputs = randomInputs(n)
    const result = runSecAggRound({ inputs, threshold: Math.floor(n / 2) + 1, session: `round-${n}` })
    expect(result.survivors).toHaveLength(n)
    expect(result.dropped).toEqual([])
    const err = maxError(result.sum, plainSum(inputs))
    expect(err).toBeLessThanOrEqual(tolerance(n))
    expect(err).toBeGreaterThan(0) // genuinely rounded, not copied
  })

  it.each([3, 5, 10])('recovers when one of %i holders drops after sharing its keys', (n) => {
    const inputs = randomInputs(n)
    const dropped = [...inputs.keys()][1]
    const result = runSecAggRound({ inputs, threshold: Math.floor(n / 2) + 1, dropAfterShares: [dropped] })
    expect(result.dropped).toEqual([dropped])
    const survivors = [...inputs.keys()].filter((id) => id !== dropped)
    expect(maxError(result.sum, plainSum(inputs, survivors))).toBeLessThanOrEqual(tolerance(n))
    // and it is not the sum including the dropped holder
    expect(maxError(result.sum, plainSum(inputs))).toBeGreaterThan(0.01)
  })

  it('tolerates drops at every stage as long as t holders remain', () => {
    const inputs = randomInputs(7)
    const ids = [...inputs.keys()]
    const result = runSecAggRound({
      inputs,
      threshold: 4,
      dropAfterKeys: [ids[0]],
      dropAfterShares: [ids[3]],
      dropBeforeUnmask: [ids[6]],
    })
    const included = ids.filter((id) => id !== ids[0] && id !== ids[3])
    expect(result.survivors).toEqual(included)
    expect(maxError(result.sum, plainSum(inputs, included))).toBeLessThanOrEqual(tolerance(7))
  })

  it('fails clearly with fewer than t survivors', () => {
    const inputs = randomInputs(4)
    const ids = [...inputs.keys()]
    expect(() => runSecAggRound({ inputs, threshold: 3, dropAfterShares: [ids[0], ids[1]] })).toThrow(
      expect.objectContaining({ name: 'TooFewSurvivorsError' }),
    )
    expect(() => runSecAggRound({ inputs, threshold: 3, dropBeforeUnmask: [ids[0], ids[1]] })).toThrow(
      expect.objectContaining({ name: 'TooFewSurvivorsError' }),
    )
  })
})

/** Drives a 3-holder round by hand up to the masked inputs, returning everything the aggregator saw. */
function partialRound(length: number, input: (h: number) => Float64Array) {
  const peers = ['a', 'b', 'c']
  const holders = peers.map((id, h) => createHolder({ id, input: input(h), threshold: 2, peers }))
  const aggregator = createAggregator({ peers, threshold: 2, length })
  for (const h of holders) aggregator.collectKeys(h.advertiseKeys())
  const directory = aggregator.keyDirectory()
  const shared = holders.map((h) => h.shareKeys(directory))
  for (const s of shared) aggregator.collectShares(s)
  const inboxes = aggregator.routeShares()
  const masked = holders.map((h) => h.maskedInput(inboxes.get(h.id)!))
  for (const m of masked) aggregator.collectMaskedInput(m)
  return { holders, aggregator, masked, shared, inboxes }
}

/** Chi-square statistic of the top 4 bits of 32-bit words against the uniform distribution (15 d.o.f.). */
function chiSquareTopNibble(words: Uint32Array): number {
  const counts = new Array(16).fill(0)
  for (const w of words) counts[w >>> 28]++
  const expected = words.length / 16
  return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0)
}

describe("the aggregator's view", () => {
  const length = 10_000
  const input = new Float64Array(length).map((_, i) => Math.sin(i) * 0.5)

  it('a masked input looks uniform and differs from the encoded input everywhere', () => {
    const { masked } = partialRound(length, () => input)
    const encoded = encodeFixedPoint(input, { holders: 3 })
    const y = ringFromBytes(masked[0].masked)
    let same = 0
    for (let i = 0; i < length; i++) if (y[i] === encoded[i]) same++
    expect(same).toBe(0) // each coordinate equal with probability 2^-32
    // 57.3 is the chi-square(15) quantile at p = 1e-6; the encoded input itself is far from uniform.
    expect(chiSquareTopNibble(y)).toBeLessThan(57.3)
    expect(chiSquareTopNibble(encoded)).toBeGreaterThan(10_000)
  })

  it('cannot finish with fewer than t unmask responses', () => {
    const { holders, aggregator } = partialRound(100, () => new Float64Array(100).fill(1))
    const request = aggregator.unmaskRequest()
    aggregator.collectUnmask(holders[0].unmask(request)) // only 1 of t = 2
    expect(() => aggregator.finish()).toThrow(expect.objectContaining({ name: 'TooFewSurvivorsError' }))
  })

  it('a holder never reveals shares twice, nor both secrets of one holder', () => {
    const { holders, aggregator } = partialRound(10, () => new Float64Array(10))
    expect(() => holders[0].unmask({ survivors: ['a', 'b'], dropped: ['c', 'b'] })).toThrow(
      expect.objectContaining({ name: 'InvalidSecAggMessageError' }),
    )
    const request = aggregator.unmaskRequest()
    holders[0].unmask(request)
    expect(() => holders[0].unmask({ survivors: ['a', 'b'], dropped: ['c'] })).toThrow(
      expect.objectContaining({ name: 'SecAggStateError' }),
    )
  })

  it('rejects tampered envelopes and malformed messages', () => {
    const peers = ['a', 'b', 'c']
    const holders = peers.map((id) => createHolder({ id, input: [1, 2, 3], threshold: 2, peers }))
    const aggregator = createAggregator({ peers, threshold: 2, length: 3 })
    expect(() =>
      aggregator.collectKeys({
        from: 'zz',
        maskPublicKey: new Uint8Array(32),
        encryptionPublicKey: new Uint8Array(32),
      }),
    ).toThrow(/not in this round/)
    expect(() =>
      aggregator.collectKeys({
        from: 'a',
        maskPublicKey: new Uint8Array(31),
        encryptionPublicKey: new Uint8Array(32),
      } as never),
    ).toThrow(/maskPublicKey/)
    for (const h of holders) aggregator.collectKeys(h.advertiseKeys())
    const directory = aggregator.keyDirectory()
    for (const h of holders) aggregator.collectShares(h.shareKeys(directory))
    const inboxes = aggregator.routeShares()
    const inbox = inboxes.get('a')!
    const tampered = inbox.map((e) => ({ ...e, ciphertext: e.ciphertext.slice() }))
    tampered[0].ciphertext[5] ^= 1
    expect(() => holders[0].maskedInput(tampered)).toThrow(
      expect.objectContaining({ name: 'ShareDecryptionError' }),
    )
    const m = holders[1].maskedInput(inboxes.get('b')!)
    expect(() => aggregator.collectMaskedInput({ from: 'b', masked: m.masked.slice(4) })).toThrow(
      /expected 12/,
    )
  })
})
