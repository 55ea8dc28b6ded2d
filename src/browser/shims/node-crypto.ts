/**
 * The few `node:crypto` calls the provider code makes, for the browser bundle (esbuild maps `node:crypto`
 * here): sha256 hashing over @noble/hashes and random bytes from `crypto.getRandomValues`. OpenSSL key
 * objects do not exist in a browser: `createPrivateKey`/`createPublicKey` return undefined, and the callers
 * (net/signing.ts) then use libp2p's own Ed25519 code, which signs the same bytes.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/** A running sha256, like node's Hash for the calls made here. */
export interface Hash {
  update(data: Uint8Array | string): Hash
  digest(): Uint8Array
  digest(encoding: 'hex'): string
}

export function createHash(algorithm: string): Hash {
  if (algorithm !== 'sha256') throw new Error(`createHash: only sha256 in the browser, not ${algorithm}`)
  const h = sha256.create()
  const hash = {
    update(data: Uint8Array | string) {
      h.update(typeof data === 'string' ? new TextEncoder().encode(data) : data)
      return hash
    },
    digest(encoding?: 'hex') {
      const out = h.digest()
      return encoding === 'hex' ? bytesToHex(out) : out
    },
  }
  return hash as Hash
}

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)))
  return out
}

export const createPrivateKey = (): undefined => undefined
export const createPublicKey = (): undefined => undefined
export function sign(): never {
  throw new Error('node:crypto sign is not available in the browser')
}
export const verify = sign
export type KeyObject = never
