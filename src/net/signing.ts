import type { PrivateKey, PublicKey } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
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

/** Sign a payload's canonical JSON with a libp2p key, prefixed by a domain string; base64 signature. */
export async function signPayload(key: PrivateKey, domain: string, payload: unknown): Promise<string> {
  const sig = await key.sign(encoder.encode(`${domain}\n${canonicalJson(payload)}`))
  return Buffer.from(sig).toString('base64')
}

const keyCache = new Map<string, PublicKey | undefined>()

/** The public key embedded in a peer id, parsed once per peer (bounded cache). */
function publicKeyOf(peerId: string): PublicKey | undefined {
  if (keyCache.has(peerId)) return keyCache.get(peerId)
  const key = peerIdFromString(peerId).publicKey
  if (keyCache.size >= 4096) keyCache.delete(keyCache.keys().next().value!)
  keyCache.set(peerId, key)
  return key
}

/**
 * Verify a signature made by `signPayload` against the Ed25519 key embedded in `peerId`.
 * Throws BadSignatureError when the peer id, the signature or the payload does not match.
 */
export async function verifyPayload(peerId: string, domain: string, payload: unknown, signature: string) {
  let ok = false
  try {
    const key = publicKeyOf(peerId)
    if (key)
      ok = await key.verify(
        encoder.encode(`${domain}\n${canonicalJson(payload)}`),
        Buffer.from(signature, 'base64'),
      )
  } catch {
    ok = false
  }
  if (!ok) {
    throw new BadSignatureError(`Bad ${domain} signature from ${peerId}`, {
      metaMessages: ['The message was altered or not signed by the peer it names; it was discarded.'],
    })
  }
}
