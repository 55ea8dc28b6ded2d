import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises'
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

/** A blob store on disk, which also takes a blob as a stream (an upload) without holding it in memory. */
export interface DiskBlobStore extends BlobStore {
  /**
   * Store the bytes of `chunks` as they come: hashed and written to a temporary file, which becomes the
   * blob once its hash is known; memory stays at one chunk, whatever the blob's size.
   * @throws BlobTooLargeError past `maxBytes` (nothing is kept).
   */
  putStream(chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ hash: string; size: number }>
}

/** A streamed blob went past the size limit it was given. */
export class BlobTooLargeError extends InvalidInputError {
  override name = 'BlobTooLargeError'
  constructor(readonly maxBytes: number) {
    super(`blob larger than ${maxBytes} bytes`)
  }
}

/** Open a blob store rooted at `dir`. */
export function blobStore(dir: string): DiskBlobStore {
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
  const putStream = async (chunks: AsyncIterable<Uint8Array>, maxBytes: number) => {
    await mkdir(dir, { recursive: true })
    const tmp = join(dir, `upload.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
    const hasher = createHash('sha256')
    let size = 0
    const file = await open(tmp, 'w')
    try {
      for await (const chunk of chunks) {
        size += chunk.byteLength
        if (size > maxBytes) throw new BlobTooLargeError(maxBytes)
        hasher.update(chunk)
        for (let done = 0; done < chunk.byteLength; )
          done += (await file.write(chunk, done, chunk.byteLength - done)).bytesWritten
      }
      await file.close()
      const hash = hasher.digest('hex')
      const final = pathOf(hash)
      if (existsSync(final)) await rm(tmp, { force: true })
      else {
        await mkdir(join(dir, hash.slice(0, 2)), { recursive: true })
        await rename(tmp, final)
      }
      return { hash, size }
    } catch (err) {
      await file.close().catch(() => undefined)
      await rm(tmp, { force: true })
      throw err
    }
  }
  return {
    putStream,
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
