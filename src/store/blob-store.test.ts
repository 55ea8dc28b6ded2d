import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { BlobTooLargeError, blobStore, sha256Hex } from './blob-store.js'

describe('sha256Hex', () => {
  it('hashes bytes, and parts as their concatenation', () => {
    const abc = new TextEncoder().encode('abc')
    expect(sha256Hex(abc)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(sha256Hex([abc.subarray(0, 1), new Uint8Array(0), abc.subarray(1)])).toBe(sha256Hex(abc))
    expect(sha256Hex([])).toBe(sha256Hex(new Uint8Array(0)))
  })
})

describe('blobStore.putStream', () => {
  it('stores a stream as the blob of its hash, once; a failed or too long stream leaves nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mutirao-blobs-'))
    try {
      const store = blobStore(dir)
      const chunks = [new Uint8Array(70_000).fill(7), new Uint8Array(0), Uint8Array.from([1, 2, 3])]
      async function* stream(fail = false) {
        for (const c of chunks) yield c
        if (fail) throw new Error('the client went away')
      }
      const joined = Buffer.concat(chunks)
      expect(await store.putStream(stream(), 1e6)).toEqual({ hash: sha256Hex(joined), size: 70_003 })
      expect(await store.get(sha256Hex(joined))).toEqual(new Uint8Array(joined))
      expect(await store.putStream(stream(), 1e6)).toEqual({ hash: sha256Hex(joined), size: 70_003 })
      await expect(store.putStream(stream(true), 1e6)).rejects.toThrow('the client went away')
      await expect(store.putStream(stream(), 70_002)).rejects.toBeInstanceOf(BlobTooLargeError)
      const files = await readdir(dir, { recursive: true })
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([])
      expect(files.filter((f) => f.endsWith(sha256Hex(joined)))).toHaveLength(1)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
