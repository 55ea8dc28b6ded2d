import { describe, expect, it } from 'vitest'
import { sha256Hex } from './blob-store.js'

describe('sha256Hex', () => {
  it('hashes bytes, and parts as their concatenation', () => {
    const abc = new TextEncoder().encode('abc')
    expect(sha256Hex(abc)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256Hex([abc.subarray(0, 1), new Uint8Array(0), abc.subarray(1)])).toBe(sha256Hex(abc))
    expect(sha256Hex([])).toBe(sha256Hex(new Uint8Array(0)))
  })
})
