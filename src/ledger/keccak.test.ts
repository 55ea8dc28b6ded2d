import { keccak_256 } from '@noble/hashes/sha3.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { keccak256Bytes, keccakIsWasm, keccakReady } from './keccak.js'

describe('keccak256Bytes', () => {
  it('the WebAssembly hasher gives the bytes of the JavaScript one, for any input, and each digest is its own copy', async () => {
    await keccakReady
    expect(keccakIsWasm()).toBe(true)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        expect(Buffer.from(keccak256Bytes(data))).toEqual(Buffer.from(keccak_256(data)))
      }),
      { numRuns: 300 },
    )
    // the known answer for no bytes (Ethereum's empty-code hash)
    const a = keccak256Bytes(new Uint8Array())
    const b = keccak256Bytes(new Uint8Array([1]))
    expect(Buffer.from(a).toString('hex')).toBe(
      'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470',
    )
    expect(Buffer.from(b)).not.toEqual(Buffer.from(a))
  })
})
