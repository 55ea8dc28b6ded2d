import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { fetchRetryingReset } from './fetch-retry.js'

/** An HTTP server that resets the connection under its first `resets` requests, then answers "ok". */
async function flakyServer(resets: number): Promise<{ server: Server; url: string; seen: () => number }> {
  let seen = 0
  const server = createServer((req, res) => {
    seen++
    if (seen <= resets) {
      req.socket.resetAndDestroy()
      return
    }
    res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return { server, url: `http://127.0.0.1:${port}/`, seen: () => seen }
}

describe('fetchRetryingReset', () => {
  let server: Server | undefined
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())))

  it('sends a GET again on a new connection when the first was reset under it', async () => {
    const s = await flakyServer(1)
    server = s.server
    const res = await fetchRetryingReset(s.url)
    expect(await res.text()).toBe('ok')
    expect(s.seen()).toBe(2)
  })

  it('tries a GET only once more: a second reset reaches the caller', async () => {
    const s = await flakyServer(2)
    server = s.server
    await expect(fetchRetryingReset(s.url)).rejects.toThrow(/fetch failed/)
    expect(s.seen()).toBe(2)
  })

  it('never sends a POST twice (the node may have acted on it)', async () => {
    const s = await flakyServer(1)
    server = s.server
    await expect(fetchRetryingReset(s.url, { method: 'POST', body: '{}' })).rejects.toThrow(/fetch failed/)
    expect(s.seen()).toBe(1)
  })

  it('does not retry a refused connection (no node there)', async () => {
    const s = await flakyServer(0)
    await new Promise<void>((r) => s.server.close(() => r()))
    await expect(fetchRetryingReset(s.url)).rejects.toThrow(/fetch failed/)
  })
})
