import { createHash } from 'node:crypto'

/** Hex sha256 of some bytes (or of consecutive parts of them): the content address of every model and input set. */
export function sha256Hex(bytes: Uint8Array | readonly Uint8Array[]): string {
  const hash = createHash('sha256')
  if (bytes instanceof Uint8Array) return hash.update(bytes).digest('hex')
  for (const part of bytes) hash.update(part)
  return hash.digest('hex')
}
