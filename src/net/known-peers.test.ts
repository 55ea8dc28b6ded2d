import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { addressesToRemember, loadKnownPeers, saveKnownPeers } from './known-peers.js'

const A = '12D3KooWG3L2zAH27eRrg98BsU8VQB74ZJuR9ZgHRs18f3k9Fu1a'
const R = '12D3KooWPjAyb55NiuAdC7otEyfwA43AjvpeKJBosNWdGyNMdHTi'

describe('known peers', () => {
  it('remembers listen addresses with the peer id, relayed ones included, loopback only on loopback', () => {
    const peers = [
      {
        id: A,
        addrs: [
          '/ip4/127.0.0.1/tcp/4001',
          '/ip4/198.18.0.13/tcp/4001',
          `/ip4/198.18.0.11/tcp/4001/p2p/${R}/p2p-circuit`,
        ],
      },
    ]
    expect(addressesToRemember(peers, false)).toEqual([
      `/ip4/198.18.0.13/tcp/4001/p2p/${A}`,
      `/ip4/198.18.0.11/tcp/4001/p2p/${R}/p2p-circuit/p2p/${A}`,
    ])
    expect(addressesToRemember(peers, true)[0]).toBe(`/ip4/127.0.0.1/tcp/4001/p2p/${A}`)
  })

  it('round-trips through the file; a damaged file reads as no peers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'known-peers-'))
    const file = join(dir, 'peers.json')
    await saveKnownPeers(file, [`/ip4/198.18.0.13/tcp/4001/p2p/${A}`])
    expect(await loadKnownPeers(file)).toEqual([`/ip4/198.18.0.13/tcp/4001/p2p/${A}`])
    await writeFile(file, '{ not json')
    expect(await loadKnownPeers(file)).toEqual([])
    expect(await loadKnownPeers(join(dir, 'missing.json'))).toEqual([])
  })
})
