import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { sseMessages } from '../dashboard/live.js'
import { registerEventRoutes } from './event-routes.js'

describe('GET /v1/events', () => {
  it('sends a snapshot at once and another soon after a job change, not only on the 2 s tick', async () => {
    const app = new Hono()
    const changes = new EventTarget()
    let n = 0
    registerEventRoutes(app, { changes, snapshot: () => ({ node: { n: ++n }, jobs: [] }) })
    const stop = new AbortController()
    const res = await app.request('/v1/events', { signal: stop.signal })
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const messages = sseMessages(res.body!)
    const first = await messages.next()
    expect(first.value).toEqual({ event: 'snapshot', data: JSON.stringify({ node: { n: 1 }, jobs: [] }) })
    const t0 = Date.now()
    setTimeout(() => changes.dispatchEvent(new Event('change')), 300)
    const second = await messages.next()
    expect(JSON.parse(second.value!.data).node.n).toBe(2)
    expect(Date.now() - t0).toBeLessThan(1500)
    stop.abort()
  })
})
