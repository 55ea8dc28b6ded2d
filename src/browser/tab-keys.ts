import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { type Hex, isHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import type { Identity } from '../identity/keys.js'

/** Where a tab keeps its keys: `localStorage`, or any store with the same two calls. */
export interface KeyStorage {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
}

/** The storage entry holding a tab's keys (JSON: libp2p key protobuf in base64, Ethereum key in hex). */
export const KEYS_ENTRY = 'mutirao.keys.v1'

interface StoredKeys {
  peerKey: string
  ethPrivateKey: Hex
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

/**
 * The tab's two identities — a libp2p Ed25519 key and the Ethereum key its earnings are paid to — read from
 * `storage`, or created and saved there on the first visit. A stored entry that does not parse is an error
 * (never silently replaced: it may hold earnings).
 */
export async function loadOrCreateTabIdentity(storage: KeyStorage): Promise<Identity> {
  const text = storage.getItem(KEYS_ENTRY)
  if (text === null) {
    const peerKey = await generateKeyPair('Ed25519')
    const ethPrivateKey = generatePrivateKey()
    storage.setItem(
      KEYS_ENTRY,
      JSON.stringify({ peerKey: toBase64(privateKeyToProtobuf(peerKey)), ethPrivateKey }),
    )
    return identityOf({ peerKey: toBase64(privateKeyToProtobuf(peerKey)), ethPrivateKey })
  }
  let stored: StoredKeys
  try {
    stored = JSON.parse(text) as StoredKeys
  } catch {
    throw new Error(`the keys saved in this browser (${KEYS_ENTRY}) are not JSON; export or clear them`)
  }
  return identityOf(stored)
}

/** Restore a tab's keys from an export (see exportTabKeys), replacing the ones stored. */
export async function importTabKeys(storage: KeyStorage, exported: string): Promise<Identity> {
  let parsed: StoredKeys
  try {
    parsed = JSON.parse(exported) as StoredKeys
  } catch {
    throw new Error('that is not an exported key set (not JSON): nothing was replaced')
  }
  const identity = identityOf(parsed)
  storage.setItem(KEYS_ENTRY, exported)
  return identity
}

/** The stored keys as text the visitor can keep (they hold the earnings: keep them private). */
export function exportTabKeys(storage: KeyStorage): string | null {
  return storage.getItem(KEYS_ENTRY)
}

function identityOf(stored: StoredKeys): Identity {
  if (
    typeof stored?.peerKey !== 'string' ||
    !isHex(stored.ethPrivateKey) ||
    stored.ethPrivateKey.length !== 66
  )
    throw new Error(`the keys saved in this browser (${KEYS_ENTRY}) are malformed; import a valid export`)
  const peerKey = privateKeyFromProtobuf(fromBase64(stored.peerKey))
  return {
    peerKey,
    peerId: peerIdFromPrivateKey(peerKey).toString(),
    ethPrivateKey: stored.ethPrivateKey,
    ethAddress: privateKeyToAccount(stored.ethPrivateKey).address,
  }
}
