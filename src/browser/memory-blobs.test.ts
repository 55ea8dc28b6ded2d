import { describe, expect, it } from 'vitest'
import { sha256Hex } from '../store/sha256.js'
import { memoryBlobs } from './memory-blobs.js'

describe('memoryBlobs', () => {
  it('stores by content hash, refuses bytes that do not match their hash, and drops the oldest past its size', async () => {
    const store = memoryBlobs(10)
    const a = new Uint8Array([1, 2, 3, 4, 5, 6])
    const h = await store.put(a)
    expect(h).toBe(sha256Hex(a))
    expect(await store.get(h)).toEqual(a)
    expect(await store.size(h)).toBe(6)
    const b = new Uint8Array([9, 9, 9, 9, 9, 9])
    await expect(store.putVerified(h, b)).rejects.toThrow(/expected/)
    await store.putVerified(sha256Hex(b), b)
    expect(store.has(sha256Hex(b))).toBe(true)
    expect(store.has(h)).toBe(false) // 12 bytes > 10: the older one went
    await expect(store.get(h)).rejects.toThrow(/not in this tab/)
  })
})
