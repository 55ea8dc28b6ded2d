import { existsSync } from 'node:fs'
import { mkdir, rename, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidInputError } from '../errors.js'
import { readBytes } from '../read-bytes.js'
import { sha256Hex } from './sha256.js'

export { sha256Hex } from './sha256.js'

const HASH_RE = /^[0-9a-f]{64}$/

/** A content-addressed store of blobs on disk (`<dir>/<h[0..2]>/<hash>`). */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<string>
  /** Store bytes that must hash to `hash` (from a peer); throws when they do not. */
  putVerified(hash: string, bytes: Uint8Array): Promise<void>
  get(hash: string): Promise<Uint8Array>
  has(hash: string): boolean
  size(hash: string): Promise<number>
}

/** Open a blob store rooted at `dir`. */
export function blobStore(dir: string): BlobStore {
  const pathOf = (hash: string) => {
    if (!HASH_RE.test(hash))
      throw new InvalidInputError(`Not a sha256 hex content address: ${hash.slice(0, 80)}`)
    return join(dir, hash.slice(0, 2), hash)
  }
  const write = async (hash: string, bytes: Uint8Array) => {
    const file = pathOf(hash)
    if (existsSync(file)) return
    await mkdir(join(dir, hash.slice(0, 2)), { recursive: true })
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    await writeFile(tmp, bytes)
    await rename(tmp, file)
  }
  return {
    async put(bytes) {
      const hash = sha256Hex(bytes)
      await write(hash, bytes)
      return hash
    },
    async putVerified(hash, bytes) {
      const actual = sha256Hex(bytes)
      if (actual !== hash) throw new InvalidInputError(`Blob content hashes to ${actual}, expected ${hash}`)
      await write(hash, bytes)
    },
    async get(hash) {
      try {
        return await readBytes(pathOf(hash))
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new InvalidInputError(`Blob ${hash} is not in the store`)
        }
        throw err
      }
    },
    has(hash) {
      return existsSync(pathOf(hash))
    },
    async size(hash) {
      return (await stat(pathOf(hash))).size
    },
  }
}
