import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readBytes } from './read-bytes.js'

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
