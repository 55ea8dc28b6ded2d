import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readBytes, readRange } from './read-bytes.js'

const dir = await mkdtemp(join(tmpdir(), 'read-bytes-'))
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('readBytes', () => {
  it('gives the bytes of a file as a plain Uint8Array that owns its whole buffer, large or small', async () => {
    for (const size of [0, 3, 100, 5000, 3_000_000]) {
      const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 255)
      const file = join(dir, `f${size}`)
      await writeFile(file, bytes)
      const got = await readBytes(file)
      expect(Buffer.isBuffer(got)).toBe(false)
      expect(got).toEqual(bytes)
      expect(got.byteOffset).toBe(0)
      expect(got.buffer.byteLength).toBe(size)
    }
  })

  it('rejects with the file system error for a missing file', async () => {
    await expect(readBytes(join(dir, 'missing'))).rejects.toThrow(/ENOENT/)
  })
})

describe('readRange', () => {
  it('gives a range of a file in chunks of at most the chunk size, and fails on a file shorter than it', async () => {
    const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 13) & 255)
    const path = join(dir, 'range')
    await writeFile(path, bytes)
    const chunks: Uint8Array[] = []
    for await (const chunk of readRange({ path, offset: 100, byteLength: 9_000 }, 4096))
      chunks.push(chunk.slice())
    expect(chunks.map((c) => c.byteLength)).toEqual([4096, 4096, 808])
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(bytes.subarray(100, 9_100)))
    const none: Uint8Array[] = []
    for await (const chunk of readRange({ path, offset: 0, byteLength: 0 })) none.push(chunk)
    expect(none).toEqual([])
    const reading = async () => {
      for await (const _ of readRange({ path, offset: 9_000, byteLength: 2_000 })) {
      }
    }
    await expect(reading()).rejects.toThrow(/ended 1000 bytes before the range/)
  })
})
