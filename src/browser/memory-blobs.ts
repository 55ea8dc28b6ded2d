import { InvalidInputError } from '../errors.js'
import type { BlobStore } from '../store/blob-store.js'
import { sha256Hex } from '../store/sha256.js'

/**
 * A content-addressed blob store in memory, for a browser tab: models and modules it fetched, at most
 * `maxBytes` together (the oldest are dropped first; an agreement refetches what it lacks).
 */
export function memoryBlobs(maxBytes = 512 * 1024 * 1024): BlobStore {
  const blobs = new Map<string, Uint8Array>()
  let total = 0
  const keep = (hash: string, bytes: Uint8Array) => {
    if (blobs.has(hash)) return
    blobs.set(hash, bytes)
    total += bytes.byteLength
    for (const [h, b] of blobs) {
      if (total <= maxBytes || h === hash) break
      blobs.delete(h)
      total -= b.byteLength
    }
  }
  const get = async (hash: string) => {
    const bytes = blobs.get(hash)
    if (!bytes) throw new InvalidInputError(`Blob ${hash} is not in this tab`)
    return bytes
  }
  return {
    async put(bytes) {
      const hash = sha256Hex(bytes)
      keep(hash, bytes)
      return hash
    },
    async putVerified(hash, bytes) {
      const actual = sha256Hex(bytes)
      if (actual !== hash) throw new InvalidInputError(`Blob hashes to ${actual}, expected ${hash}`)
      keep(hash, bytes)
    },
    get,
    has: (hash) => blobs.has(hash),
    size: async (hash) => (await get(hash)).byteLength,
  }
}
