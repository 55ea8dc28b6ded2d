import { xchacha20poly1305 } from '@noble/ciphers/chacha.js'
import { x25519 } from '@noble/curves/ed25519.js'
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

/** A fresh X25519 key pair from the system's CSPRNG. */
export function generateKeyPair(): X25519KeyPair {
  const secretKey = x25519.utils.randomSecretKey()
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) }
}

/** The public key belonging to an X25519 secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey)
}

/** Raw X25519 key agreement; throws {@link InvalidSecAggMessageError} for an invalid (e.g. low-order) key. */
export function agree(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(secretKey, peerPublicKey)
  } catch (cause) {
    throw new InvalidSecAggMessageError('X25519 key agreement failed: the peer public key is invalid', {
      cause,
    })
  }
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
