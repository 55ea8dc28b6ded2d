import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { hkdf } from '@noble/hashes/hkdf.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBytes } from '@noble/hashes/utils.js'
import { InvalidSecAggMessageError, ShareDecryptionError } from './errors.js'

const utf8 = new TextEncoder()
const SALT = utf8.encode('mutirao/secagg/v1')

/** Byte length of the XChaCha20-Poly1305 nonce of a share envelope. */
export const ENVELOPE_NONCE_BYTES = 24

/** An X25519 key pair. */
export interface X25519KeyPair {
  secretKey: Uint8Array
  publicKey: Uint8Array
}

// X25519 runs in OpenSSL (node:crypto): ~0.05 ms per agreement here against ~1.6 ms in pure JS, which is
// what lets a complete-graph round of hundreds of holders finish (each holder agrees with every peer twice).
// Raw 32-byte keys travel in the fixed DER wrappers of RFC 8410.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')
// Importing a private key computes its public key (~0.7 ms): each key array's KeyObject is kept while the
// array lives, since a holder agrees with every neighbour under the same two keys.
const privateObjects = new WeakMap<Uint8Array, KeyObject>()
const publicObjects = new WeakMap<Uint8Array, KeyObject>()
function cachedKey(cache: WeakMap<Uint8Array, KeyObject>, raw: Uint8Array, make: () => KeyObject): KeyObject {
  let key = cache.get(raw)
  if (!key) {
    key = make()
    cache.set(raw, key)
  }
  return key
}
const privateKeyObject = (secretKey: Uint8Array) =>
  cachedKey(privateObjects, secretKey, () =>
    createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' }),
  )
const publicKeyObject = (publicKey: Uint8Array) =>
  cachedKey(publicObjects, publicKey, () =>
    createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }),
  )
const rawPublic = (key: KeyObject) =>
  new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length))

/** A fresh X25519 key pair from the system's CSPRNG. */
export function generateKeyPair(): X25519KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('x25519')
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const secretKey = new Uint8Array(der.subarray(PKCS8_PREFIX.length))
  privateObjects.set(secretKey, privateKey)
  return { secretKey, publicKey: rawPublic(publicKey) }
}

/** The public key belonging to an X25519 secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new InvalidSecAggMessageError('an X25519 secret key is 32 bytes')
  return rawPublic(createPublicKey(privateKeyObject(secretKey)))
}

/** Raw X25519 key agreement; throws {@link InvalidSecAggMessageError} for an invalid (e.g. low-order) key. */
export function agree(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  let shared: Uint8Array
  try {
    shared = new Uint8Array(
      diffieHellman({ privateKey: privateKeyObject(secretKey), publicKey: publicKeyObject(peerPublicKey) }),
    )
  } catch (cause) {
    throw new InvalidSecAggMessageError('X25519 key agreement failed: the peer public key is invalid', {
      cause,
    })
  }
  if (shared.every((b) => b === 0)) {
    throw new InvalidSecAggMessageError('X25519 key agreement failed: the peer public key has low order')
  }
  return shared
}

/** Context string binding a derived key to its purpose, the session and the (unordered) pair of holders. */
function info(purpose: string, session: string, a: string, b: string): Uint8Array {
  const [lo, hi] = a < b ? [a, b] : [b, a]
  return utf8.encode(`${purpose}\n${session}\n${lo}\n${hi}`)
}

/**
 * The pairwise mask seed s_ab = HKDF-SHA256(X25519(sk_a, pk_b)); both holders (and, after recovering a
 * dropped holder's key, the aggregator) derive the same 32 bytes.
 */
export function deriveMaskSeed(
  secretKey: Uint8Array,
  peerPublicKey: Uint8Array,
  ctx: { session: string; a: string; b: string },
): Uint8Array {
  return hkdf(sha256, agree(secretKey, peerPublicKey), SALT, info('mask', ctx.session, ctx.a, ctx.b), 32)
}

/** Ids of an envelope: who encrypted it, for whom, in which session. Bound as associated data. */
export interface EnvelopeContext {
  session: string
  from: string
  to: string
}

function envelopeKey(shared: Uint8Array, ctx: EnvelopeContext): Uint8Array {
  return hkdf(sha256, shared, SALT, info(`share\n${ctx.from}`, ctx.session, ctx.from, ctx.to), 32)
}

const aad = (ctx: EnvelopeContext) => utf8.encode(`secagg-share\n${ctx.session}\n${ctx.from}\n${ctx.to}`)

/**
 * Encrypts `plaintext` from `ctx.from` to `ctx.to` with XChaCha20-Poly1305 under a key derived (HKDF, per
 * direction) from `shared` = {@link agree}(own encryption secret key, peer's encryption public key).
 */
export function sealEnvelope(
  shared: Uint8Array,
  ctx: EnvelopeContext,
  plaintext: Uint8Array,
): { nonce: Uint8Array; ciphertext: Uint8Array } {
  const nonce = randomBytes(ENVELOPE_NONCE_BYTES)
  const key = envelopeKey(shared, ctx)
  return { nonce, ciphertext: xchacha20poly1305(key, nonce, aad(ctx)).encrypt(plaintext) }
}

/** Decrypts an envelope (same `shared` as the sender's); throws {@link ShareDecryptionError} if it fails to authenticate. */
export function openEnvelope(
  shared: Uint8Array,
  ctx: EnvelopeContext,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
): Uint8Array {
  const key = envelopeKey(shared, ctx)
  try {
    return xchacha20poly1305(key, nonce, aad(ctx)).decrypt(ciphertext)
  } catch (cause) {
    throw new ShareDecryptionError(`key shares from ${ctx.from} to ${ctx.to} failed to authenticate`, {
      cause,
      metaMessages: ['The envelope was altered in transit or routed to the wrong holder; abandon the round.'],
    })
  }
}

/** Commitment to a self-mask seed: SHA-256 over the session, the owner and the seed. */
export function commitSeed(session: string, owner: string, seed: Uint8Array): Uint8Array {
  return sha256(new Uint8Array([...utf8.encode(`secagg-seed\n${session}\n${owner}\n`), ...seed]))
}
