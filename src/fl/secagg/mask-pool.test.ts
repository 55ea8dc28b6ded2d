import { afterAll, describe, expect, it } from 'vitest'
import { encodeFixedPoint, ringAddInto } from './fixedPoint.js'
import { plusThreshold } from './graph.js'
import { generateKeyPair } from './keys.js'
import { MaskPool, MIN_PAIRS_FOR_THREADS } from './mask-pool.js'
import { runSecAggRound, runSecAggRoundAsync } from './simulate.js'

const LENGTH = 300
const ids = (n: number) => Array.from({ length: n }, (_, i) => `h${String(i).padStart(3, '0')}`)
const pool = new MaskPool(2)
afterAll(() => pool.close())

describe('MaskPool', () => {
  it('removes dropped holders’ masks on threads to the exact fixed-point sum that finish() computes', async () => {
    const roster = ids(40)
    const inputs = new Map(roster.map((id) => [id, new Float64Array(LENGTH).map(() => Math.random() - 0.5)]))
    const dropped = roster.filter((_, i) => i % 3 === 0) // 14 dropped × ~18 surviving neighbours ≫ MIN_PAIRS
    const degree = 26
    const round = { inputs, degree, threshold: plusThreshold(degree), session: 's', dropAfterShares: dropped }
    const expected = new Uint32Array(LENGTH)
    for (const id of roster.filter((h) => !dropped.includes(h)))
      ringAddInto(expected, encodeFixedPoint(inputs.get(id)!, { holders: roster.length }))
    const threaded = await runSecAggRoundAsync(round, pool)
    expect(threaded.dropped).toEqual(dropped)
    expect(threaded.encodedSum).toEqual(expected)
    expect(runSecAggRound(round).encodedSum).toEqual(expected)
    // a second round reuses the threads
    expect((await runSecAggRoundAsync({ ...round, session: 't' }, pool)).encodedSum).toEqual(expected)
  })

  it("rejects with a thread's error and keeps serving; small work stays in the calling thread", async () => {
    const survivors = ids(MIN_PAIRS_FOR_THREADS).map((id) => ({ id, publicKey: generateKeyPair().publicKey }))
    const bad = [
      { owner: 'x', secretKey: new Uint8Array(32), survivors: [{ id: 'a', publicKey: new Uint8Array(32) }] },
    ]
    const good = { owner: 'zz', secretKey: generateKeyPair().secretKey, survivors }
    // an all-zero public key is refused: the agreement fails in the thread that gets it
    await expect(pool.correction([good, ...bad], 's', 16)).rejects.toThrow(
      /^mask thread: X25519 key agreement failed/,
    )
    const a = await pool.correction([good], 's', 16)
    expect(a).toHaveLength(16)
    // under MIN_PAIRS the work is done in this thread: the error is the one finish() throws
    await expect(pool.correction(bad, 's', 16)).rejects.toThrow(/^X25519 key agreement failed/)
  })
})
