import { chacha20 } from '@noble/ciphers/chacha.js'
import { InvalidSecAggMessageError } from './errors.js'

const ZERO_NONCE = new Uint8Array(12)

/**
 * Expands a 32-byte seed into `length` pseudo-random ring elements (uniform in Z/2^32): the ChaCha20
 * keystream under the seed with an all-zero nonce, read as little-endian 32-bit words. Each seed is used
 * for one vector only (seeds are fresh per round), so the fixed nonce is safe.
 */
export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  if (seed.length !== 32)
    throw new InvalidSecAggMessageError(`mask seed must be 32 bytes, got ${seed.length}`)
  const bytes = chacha20(seed, ZERO_NONCE, new Uint8Array(length * 4))
  const words = new Uint32Array(length)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let i = 0; i < length; i++) words[i] = view.getUint32(i * 4, true)
  return words
}
