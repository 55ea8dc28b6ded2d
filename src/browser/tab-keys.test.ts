import { describe, expect, it } from 'vitest'
import { exportTabKeys, importTabKeys, KEYS_ENTRY, loadOrCreateTabIdentity } from './tab-keys.js'

const storage = () => {
  const m = new Map<string, string>()
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), m }
}

describe('a tab’s keys', () => {
  it('are created once and the same identity comes back on the next visit', async () => {
    const s = storage()
    const first = await loadOrCreateTabIdentity(s)
    expect(first.peerId).toMatch(/^12D3KooW/)
    expect(first.ethAddress).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const again = await loadOrCreateTabIdentity(s)
    expect(again.peerId).toBe(first.peerId)
    expect(again.ethAddress).toBe(first.ethAddress)
  })

  it('export to another browser, where they are the same identity; malformed ones are refused, never replaced', async () => {
    const a = storage()
    const mine = await loadOrCreateTabIdentity(a)
    const b = storage()
    const moved = await importTabKeys(b, exportTabKeys(a)!)
    expect(moved.ethAddress).toBe(mine.ethAddress)
    expect(moved.peerId).toBe(mine.peerId)
    await expect(importTabKeys(b, 'not json')).rejects.toThrow(/nothing was replaced/)
    await expect(importTabKeys(b, JSON.stringify({ peerKey: 'x', ethPrivateKey: '0x12' }))).rejects.toThrow(
      /malformed/,
    )
    expect((await loadOrCreateTabIdentity(b)).ethAddress).toBe(mine.ethAddress)
    const broken = storage()
    broken.m.set(KEYS_ENTRY, '{oops')
    await expect(loadOrCreateTabIdentity(broken)).rejects.toThrow(/not JSON/)
    expect(broken.m.get(KEYS_ENTRY)).toBe('{oops')
  })
})
