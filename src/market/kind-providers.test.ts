import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHost, type Host } from '../net/host.js'
import { connectKindProviders, kindCid } from './kind-providers.js'

describe('connectKindProviders (the DHT lookup of a job kind)', () => {
  // requester — middle — rare: only the rare node provides the kind; the requester dials the middle node
  let requester: Host
  let middle: Host
  let rare: Host

  beforeAll(async () => {
    ;[requester, middle, rare] = await Promise.all(
      [0, 1, 2].map(async () => createHost({ privateKey: await generateKeyPair('Ed25519') })),
    )
    await Promise.all([requester.start(), middle.start(), rare.start()])
    await requester.dial(middle.getMultiaddrs()[0])
    await rare.dial(middle.getMultiaddrs()[0])
    // the provider record goes to the middle node once the DHT knows it: after identify says it speaks kad
    const speaksKad = async (h: Host, peer: Host) =>
      (await h.peerStore.get(peer.peerId).catch(() => undefined))?.protocols.includes(
        h.services.wire.protocols.dht,
      )
    for (
      const end = Date.now() + 20_000;
      !(await speaksKad(rare, middle)) || !(await speaksKad(requester, middle));
    ) {
      if (Date.now() > end) throw new Error('identify did not complete')
      await new Promise((r) => setTimeout(r, 100))
    }
    // provide until the middle node holds the record (its routing table fills a moment after identify)
    const cid = await kindCid('wasm')
    const held = async () => {
      for await (const p of middle.contentRouting.findProviders(cid, { signal: AbortSignal.timeout(1000) }))
        if (p.id.equals(rare.peerId)) return true
      return false
    }
    for (const end = Date.now() + 30_000; ; ) {
      await rare.contentRouting.provide(cid, { signal: AbortSignal.timeout(10_000) }).catch(() => {})
      if (await held().catch(() => false)) break
      if (Date.now() > end) throw new Error('the middle node never held the provider record')
      await new Promise((r) => setTimeout(r, 300))
    }
  }, 60_000)

  afterAll(async () => {
    await Promise.all([requester?.stop(), middle?.stop(), rare?.stop()])
  })

  it('finds the provider of a kind through the DHT and is connected to it afterwards', async () => {
    // (the DHT's own maintenance may connect the two first: a 3-node network is small)
    const found = await connectKindProviders(requester, 'wasm', { limit: 4, timeoutMs: 10_000 })
    expect(found).toEqual([rare.peerId.toString()])
    expect(requester.getConnections(rare.peerId).length).toBeGreaterThan(0)
  })

  it('finds nobody for a kind nobody provides (within its time) and skips the excluded', async () => {
    expect(await connectKindProviders(requester, 'onnx-inference', { limit: 4, timeoutMs: 3000 })).toEqual([])
    const skip = new Set([rare.peerId.toString()])
    expect(await connectKindProviders(requester, 'wasm', { limit: 4, timeoutMs: 3000, skip })).toEqual([])
  })
})
