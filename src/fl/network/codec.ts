import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { InvalidInputError } from '../../errors.js'
import { MAX_MODEL_PARAMS } from './protocol.js'

/** Float32 weights as raw little-endian bytes (the wire and storage format of models and updates). */
export function weightsToBytes(weights: Float32Array): Uint8Array {
  const out = new Uint8Array(weights.length * 4)
  const view = new DataView(out.buffer)
  for (let i = 0; i < weights.length; i++) view.setFloat32(i * 4, weights[i], true)
  return out
}

/**
 * Decodes raw little-endian float32 bytes, checking the length against `expected` parameters (when given)
 * and that every value is finite. Throws InvalidInputError naming the problem.
 */
export function weightsFromBytes(bytes: Uint8Array, expected?: number): Float32Array {
  if (bytes.length % 4 !== 0)
    throw new InvalidInputError(`Weights body of ${bytes.length} bytes is not float32`)
  const n = bytes.length / 4
  if (n > MAX_MODEL_PARAMS)
    throw new InvalidInputError(`Weights body has ${n} values, over ${MAX_MODEL_PARAMS}`)
  if (expected !== undefined && n !== expected) {
    throw new InvalidInputError(`Weights body has ${n} values, expected ${expected}`)
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    out[i] = view.getFloat32(i * 4, true)
    if (!Number.isFinite(out[i])) throw new InvalidInputError(`Weights body has a non-finite value at ${i}`)
  }
  return out
}

/** Lowercase hex SHA-256 of bytes. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes))
}

/** SHA-256 of float32 weights in their wire encoding: the hash that names a model or an update. */
export function weightsHash(weights: Float32Array): string {
  return sha256Hex(weightsToBytes(weights))
}

/** Base64 of bytes. */
export const toB64 = (b: Uint8Array): string => Buffer.from(b).toString('base64')

/** Bytes of a base64 string (already length-checked by the message schema). */
export const fromB64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'))
