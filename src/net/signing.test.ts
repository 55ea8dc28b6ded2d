import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { canonicalJson, signPayload, verifyPayload } from './signing.js'

const payload = { taskId: 't.1', inputHash: 'a'.repeat(64), outputHash: 'b'.repeat(64) }

describe('signPayload / verifyPayload', () => {
  it('signs the same bytes as the libp2p key (cached OpenSSL keys interoperate with key.sign/verify)', async () => {
    const key = await generateKeyPair('Ed25519')
    const peer = peerIdFromPrivateKey(key).toString()
    const data = new TextEncoder().encode(`dom\n${canonicalJson(payload)}`)
    const ours = await signPayload(key, 'dom', payload)
    // Ed25519 is deterministic: same key, same message, same signature.
    expect(ours).toBe(Buffer.from(await key.sign(data)).toString('base64'))
    expect(await key.publicKey.verify(data, Buffer.from(ours, 'base64'))).toBe(true)
    await verifyPayload(peer, 'dom', payload, ours)
    await verifyPayload(peer, 'dom', payload, Buffer.from(await key.sign(data)).toString('base64'))
  })

  it('rejects a changed payload, another domain, another signer and a truncated signature', async () => {
    const key = await generateKeyPair('Ed25519')
    const other = await generateKeyPair('Ed25519')
    const peer = peerIdFromPrivateKey(key).toString()
    const sig = await signPayload(key, 'dom', payload)
    await expect(verifyPayload(peer, 'dom', { ...payload, outputHash: 'c'.repeat(64) }, sig)).rejects.toThrow(
      /Bad dom signature/,
    )
    await expect(verifyPayload(peer, 'other', payload, sig)).rejects.toThrow(/Bad other signature/)
    await expect(
      verifyPayload(peer, 'dom', payload, await signPayload(other, 'dom', payload)),
    ).rejects.toThrow(/Bad dom signature/)
    const short = Buffer.from(sig, 'base64').subarray(0, 63).toString('base64')
    await expect(verifyPayload(peer, 'dom', payload, short)).rejects.toThrow(/Bad dom signature/)
    await expect(verifyPayload('not-a-peer-id', 'dom', payload, sig)).rejects.toThrow(/Bad dom signature/)
  })

  it('still signs and verifies with secp256k1 peer keys (libp2p path)', async () => {
    const key = await generateKeyPair('secp256k1')
    const peer = peerIdFromPrivateKey(key).toString()
    const sig = await signPayload(key, 'dom', payload)
    await verifyPayload(peer, 'dom', payload, sig)
    await expect(verifyPayload(peer, 'dom', { ...payload, taskId: 't.2' }, sig)).rejects.toThrow(/Bad dom/)
  })
})
