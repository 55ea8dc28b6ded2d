import { streamPair } from '@libp2p/utils'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { channel } from './channel.js'

const Msg = z.object({ n: z.number() })

async function pair() {
  const [a, b] = await streamPair()
  let writes = 0
  const send = a.send.bind(a)
  a.send = (data) => {
    writes++
    return send(data)
  }
  return { a: channel(a), b: channel(b), writes: () => writes }
}

describe('channel', () => {
  it('holds two full-size frames that arrive before the reader asks (a peer may pipeline them)', async () => {
    const [x, y] = await streamPair()
    const limits = { maxHeaderBytes: 64, maxBodyBytes: 64 * 1024 }
    const a = channel(x, limits)
    const b = channel(y, limits)
    const full = new Uint8Array(limits.maxBodyBytes).fill(7)
    await a.send({ n: 1 }, full)
    await a.send({ n: 2 }, full)
    await new Promise((r) => setTimeout(r, 50)) // both frames are buffered on b's side before it reads
    expect((await b.recv(Msg)).body.length).toBe(full.length)
    expect((await b.recv(Msg)).header.n).toBe(2)
  })

  it('writes the frames of one tick together and delivers every frame in call order', async () => {
    const { a, b, writes } = await pair()
    const sent = Array.from({ length: 10 }, (_, n) => a.send({ n }, new Uint8Array([n, n + 1])))
    await Promise.all(sent)
    expect(writes()).toBe(1)
    await a.send({ n: 10 }) // a later tick: its own write
    expect(writes()).toBe(2)
    for (let n = 0; n <= 10; n++) {
      const { header, body } = await b.recv(Msg)
      expect(header.n).toBe(n)
      expect([...body]).toEqual(n < 10 ? [n, n + 1] : [])
    }
  })

  it('sends a body given as parts as their concatenation, without copying it into a frame first', async () => {
    const [x, y] = await streamPair()
    const seen: Uint8Array[] = []
    const send = x.send.bind(x)
    x.send = (data) => {
      seen.push(...(data instanceof Uint8Array ? [data] : [...data]))
      return send(data)
    }
    const a = channel(x)
    const b = channel(y)
    const big = new Uint8Array(4096).fill(5)
    const parts = [new Uint8Array([1, 2]), new Uint8Array(0), big]
    await a.send({ n: 1 }, parts)
    const { body } = await b.recv(Msg)
    expect(body.length).toBe(2 + 4096)
    expect([...body.subarray(0, 3)]).toEqual([1, 2, 5])
    // the transport was handed the caller's own body part, not a copy of it (encryption makes the copy)
    expect(seen.some((s) => s.buffer === big.buffer && s.byteLength === big.byteLength)).toBe(true)
  })

  it('close() sends the frames queued before it first', async () => {
    const { a, b } = await pair()
    void a.send({ n: 1 })
    void a.send({ n: 2 })
    await a.close()
    expect((await b.recv(Msg)).header.n).toBe(1)
    expect((await b.recv(Msg)).header.n).toBe(2)
    await expect(b.recv(Msg)).rejects.toThrow()
  })

  it('abort() fails the frames not yet written, and later sends fail', async () => {
    const { a } = await pair()
    const pending = a.send({ n: 1 })
    a.abort(new Error('gone'))
    await expect(pending).rejects.toThrow('gone')
    await expect(a.send({ n: 2 })).rejects.toThrow()
  })
})
