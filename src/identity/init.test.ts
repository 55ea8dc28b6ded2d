import { mkdtemp, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { initDataDir } from './init.js'

describe('initDataDir', () => {
  it('creates keys with mode 0600 and a config, and reloads the same identity', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'mutirao-init-')), 'node')
    const first = await initDataDir(dir, { provider: { pricePerUnit: '7' } as never })
    expect(first.created).toBe(true)
    for (const file of [first.layout.peerKey, first.layout.ethKey]) {
      expect((await stat(file)).mode & 0o777).toBe(0o600)
    }
    expect(first.config.provider.pricePerUnit).toBe('7')
    expect(first.identity.peerId).toMatch(/^12D3Koo/)
    expect(first.identity.ethAddress).toMatch(/^0x[0-9a-fA-F]{40}$/)
    const again = await initDataDir(dir)
    expect(again.created).toBe(false)
    expect(again.identity.peerId).toBe(first.identity.peerId)
    expect(again.identity.ethAddress).toBe(first.identity.ethAddress)
    expect(JSON.parse(await readFile(first.layout.config, 'utf8')).provider.pricePerUnit).toBe('7')
  })

  it('rejects a config file with a bad field, naming it', async () => {
    const { parseConfig } = await import('../config/load.js')
    expect(() => parseConfig({ provider: { cpuShare: 3 } })).toThrow(/provider\.cpuShare/)
  })
})
