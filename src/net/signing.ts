import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { fromString as fromText, toString as toText } from 'uint8arrays'
import { BadSignatureError } from '../errors.js'

const encoder = new TextEncoder()

/** Deterministic JSON: object keys sorted recursively, so both sides sign the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}

const b64url = (bytes: Uint8Array) => toText(bytes, 'base64url')

/**
 * Ed25519 keys as OpenSSL key objects, built once: libp2p's `sign`/`verify` import the key from JWK on
 * every call, which costs more than the signature itself on the per-task path. Same algorithm, same bytes.
 */
const signingKeys = new WeakMap<PrivateKey, KeyObject>()

function signingKeyOf(key: PrivateKey): KeyObject | undefined {
  if (key.type !== 'Ed25519') return undefined
  let obj = signingKeys.get(key)
  if (!obj) {
    obj = createPrivateKey({
      format: 'jwk',
      key: { kty: 'OKP', crv: 'Ed25519', d: b64url(key.raw.subarray(0, 32)), x: b64url(key.publicKey.raw) },
    })
    signingKeys.set(key, obj)
  }
  return obj
}

/** Sign a payload's canonical JSON with a libp2p key, prefixed by a domain string; base64 signature. */
export async function signPayload(key: PrivateKey, domain: string, payload: unknown): Promise<string> {
  const data = encoder.encode(`${domain}\n${canonicalJson(payload)}`)
  const obj = signingKeyOf(key)
  const sig = obj ? sign(null, data, obj) : await key.sign(data)
  return toText(sig, 'base64pad')
}

interface PeerKey {
  key: PublicKey
  /** The Ed25519 key as an OpenSSL key object (undefined for other key types). */
  obj?: KeyObject
}

const keyCache = new Map<string, PeerKey | undefined>()

/** The public key embedded in a peer id, parsed once per peer (bounded cache). */
function publicKeyOf(peerId: string): PeerKey | undefined {
  if (keyCache.has(peerId)) return keyCache.get(peerId)
  const key = peerIdFromString(peerId).publicKey
  const entry = key && {
    key,
    obj:
      key.type === 'Ed25519'
        ? createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: b64url(key.raw) } })
        : undefined,
  }
  if (keyCache.size >= 4096) keyCache.delete(keyCache.keys().next().value!)
  keyCache.set(peerId, entry)
  return entry
}

/**
 * Verify a signature made by `signPayload` against the Ed25519 key embedded in `peerId`.
 * Throws BadSignatureError when the peer id, the signature or the payload does not match.
 */
export async function verifyPayload(peerId: string, domain: string, payload: unknown, signature: string) {
  let ok = false
  try {
    const peer = publicKeyOf(peerId)
    if (peer) {
      const data = encoder.encode(`${domain}\n${canonicalJson(payload)}`)
      const sig = fromText(signature, 'base64pad')
      ok = peer.obj
        ? sig.length === 64 && verify(null, data, peer.obj, sig)
        : await peer.key.verify(data, sig)
    }
  } catch {
    ok = false
  }
  if (!ok) {
    throw new BadSignatureError(`Bad ${domain} signature from ${peerId}`, {
      metaMessages: ['The message was altered or not signed by the peer it names; it was discarded.'],
    })
  }
}
