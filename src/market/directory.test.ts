import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { signPayload } from '../net/signing.js'
import type { Capacity } from '../protocols/capacity-messages.js'
import { DOMAINS } from '../protocols/ids.js'
import { ProviderDirectory, readAdvert } from './directory.js'

async function signedAdvert(at: number, accepting = true) {
  const key = await generateKeyPair('Ed25519')
  const unsigned = {
    v: 1 as const,
    provider: peerIdFromPrivateKey(key).toString(),
    addrs: ['/ip4/127.0.0.1/tcp/4001'],
    kinds: ['onnx-inference' as const],
    threads: 2,
    pricePerUnit: '1000',
    accepting,
    hardware: { cpus: 2, memoryBytes: 2 ** 33, gpus: [] },
    at,
  }
  const advert: Capacity = { ...unsigned, signature: await signPayload(key, DOMAINS.capacity, unsigned) }
  return { key, advert, bytes: new TextEncoder().encode(JSON.stringify(advert)) }
}

describe('readAdvert (the capacity topic gossip validator)', () => {
  it('takes a signed advert and rejects a changed, an unsigned, a malformed and an oversized one', async () => {
    const { advert, bytes } = await signedAdvert(Date.now())
    expect(await readAdvert(bytes)).toEqual(advert)
    const cheaper = new TextEncoder().encode(JSON.stringify({ ...advert, pricePerUnit: '1' }))
    await expect(readAdvert(cheaper)).rejects.toThrow(/Bad .*signature/)
    const { signature: _, ...unsigned } = advert
    await expect(readAdvert(new TextEncoder().encode(JSON.stringify(unsigned)))).rejects.toThrow(/signature/)
    await expect(readAdvert(new TextEncoder().encode('{"v":1'))).rejects.toThrow(/JSON/)
    const padded = { ...advert, addrs: Array(16).fill(`/dns4/${'a'.repeat(290)}`) }
    const big = new TextEncoder().encode(JSON.stringify({ ...padded, gpus: 'x'.repeat(12_000) }))
    await expect(readAdvert(big)).rejects.toThrow(/limit 16384/)
  })
})

describe('ProviderDirectory', () => {
  it("keeps each provider's newest advert and lists only fresh ones", async () => {
    const dir = new ProviderDirectory()
    const now = Date.now()
    const { advert } = await signedAdvert(now - 1000)
    dir.add(advert)
    dir.add({ ...advert, at: now - 5000, accepting: false })
    expect(dir.list()).toEqual([advert])
    const stale = (await signedAdvert(now - 60_000)).advert
    const busy = (await signedAdvert(now, false)).advert
    dir.add(stale)
    dir.add(busy)
    expect(dir.list().map((a) => a.provider)).toEqual([advert.provider, busy.provider])
    expect(dir.list({ acceptingOnly: true })).toEqual([advert])
  })
})
