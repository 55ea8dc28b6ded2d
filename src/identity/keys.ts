import { chmod, readFile, writeFile } from 'node:fs/promises'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { type Hex, isHex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { InvalidInputError } from '../errors.js'
import type { DataDirLayout } from './data-dir.js'

/** A node's two identities: its libp2p Ed25519 key and its Ethereum secp256k1 key. */
export interface Identity {
  peerKey: PrivateKey
  peerId: string
  ethPrivateKey: Hex
  ethAddress: Hex
}

async function writeSecret(file: string, data: string | Uint8Array): Promise<void> {
  await writeFile(file, data, { mode: 0o600, flag: 'wx' })
  await chmod(file, 0o600)
}

/** Create both keys (files mode 0600); fails if either exists so a key is never overwritten. */
export async function createIdentity(layout: DataDirLayout): Promise<Identity> {
  const peerKey = await generateKeyPair('Ed25519')
  const ethPrivateKey = generatePrivateKey()
  await writeSecret(layout.peerKey, privateKeyToProtobuf(peerKey))
  await writeSecret(layout.ethKey, `${ethPrivateKey}\n`)
  return toIdentity(peerKey, ethPrivateKey)
}

/** Load both keys from a data dir. */
export async function loadIdentity(layout: DataDirLayout): Promise<Identity> {
  let peerBytes: Buffer
  let ethText: string
  try {
    peerBytes = await readFile(layout.peerKey)
    ethText = (await readFile(layout.ethKey, 'utf8')).trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InvalidInputError(`No node identity in ${layout.root}`, {
        metaMessages: [`Run \`mutirao init --data-dir ${layout.root}\` first.`],
      })
    }
    throw err
  }
  let peerKey: PrivateKey
  try {
    peerKey = privateKeyFromProtobuf(peerBytes)
  } catch (err) {
    throw new InvalidInputError(`${layout.peerKey} is not a libp2p private key`, { cause: err })
  }
  if (!isHex(ethText) || ethText.length !== 66) {
    throw new InvalidInputError(`${layout.ethKey} is not a 32-byte hex private key`)
  }
  return toIdentity(peerKey, ethText)
}

function toIdentity(peerKey: PrivateKey, ethPrivateKey: Hex): Identity {
  return {
    peerKey,
    peerId: peerIdFromPrivateKey(peerKey).toString(),
    ethPrivateKey,
    ethAddress: privateKeyToAccount(ethPrivateKey).address,
  }
}
