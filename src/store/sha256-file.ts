import { createHash } from 'node:crypto'
import { type FileRange, readRange } from '../read-bytes.js'

/**
 * Hex sha256 of consecutive parts, each bytes in memory or a range of a file read in chunks (not held
 * whole): the content address of a model or input set that may already be on the node, without reading it
 * into memory. Node only (sha256.ts is also bundled for browsers).
 */
export async function sha256HexOf(parts: readonly (Uint8Array | FileRange)[]): Promise<string> {
  const hash = createHash('sha256')
  for (const part of parts) {
    if (part instanceof Uint8Array) hash.update(part)
    else for await (const chunk of readRange(part)) hash.update(chunk)
  }
  return hash.digest('hex')
}
