import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { DemandLog } from '../provider/explain.js'
import { LivePolicy } from '../provider/live-policy.js'
import { errorResponse } from './errors.js'
import { registerProviderRoutes } from './provider-routes.js'

const app = (policy?: LivePolicy) => {
  const a = new Hono()
  a.onError((err, ctx) => errorResponse(ctx, err))
  registerProviderRoutes(a, () => policy)
  return a
}
const put = (a: Hono, body: string) =>
  a.request('/v1/provider/policy', { method: 'PUT', body, headers: { 'content-type': 'application/json' } })

describe('/v1/provider/policy', () => {
  const policy = () =>
    new LivePolicy({
      terms: { threads: 2, pricePerUnit: 1n, maxModelBytes: 1, maxTaskBytes: 1, kinds: ['wasm'] },
      cores: 2,
      cpuShare: 1,
      paused: false,
      createIdle: () => {
        throw new Error('not in this test')
      },
      save: async () => {},
    })

  it('shows and changes the policy; refuses bad JSON and bad fields with 400 naming them', async () => {
    const a = app(policy())
    expect(await (await a.request('/v1/provider/policy')).json()).toMatchObject({ paused: false, threads: 2 })
    const ok = await put(a, '{"paused":true,"price":"0.5"}')
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({ paused: true, price: '0.5' })
    const notJson = await put(a, '{paused')
    expect(notJson.status).toBe(400)
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toContain(
      'not valid JSON',
    )
    const bad = await put(a, '{"cpuShare":-1}')
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('cpuShare')
    expect((await put(a, 'x'.repeat(5000))).status).toBe(413)
  })

  it('answers 409 on a node that does not provide', async () => {
    const res = await app().request('/v1/provider/policy')
    expect(res.status).toBe(409)
    expect(((await res.json()) as { error: { hints: string[] } }).error.hints[0]).toContain('--provide')
  })
})

describe('an oversized body on any route with a body limit', () => {
  it('is a 413 naming the problem, not a 500', async () => {
    const { bodyLimit } = await import('hono/body-limit')
    const a = new Hono()
    a.onError((err, ctx) => errorResponse(ctx, err))
    a.post('/small', bodyLimit({ maxSize: 10 }), async (ctx) => ctx.json(await ctx.req.json()))
    const res = await a.request('/small', { method: 'POST', body: 'x'.repeat(100) })
    expect(res.status).toBe(413)
    expect(((await res.json()) as { error: { name: string } }).error.name).toBe('PayloadTooLarge')
  })
})

describe('/v1/provider/demands', () => {
  it('lists the demands seen since a time, prices as strings; 400 on a bad since; 409 without a provider', async () => {
    const log = new DemandLog()
    const seen = (demandId: string, at: number) =>
      log.record({
        demandId,
        at,
        kind: 'onnx-inference',
        maxPricePerUnit: 10n ** 18n,
        decision: 'not-sampled',
      })
    seen('d1', 1000)
    seen('d2', 2000)
    const a = new Hono()
    a.onError((err, ctx) => errorResponse(ctx, err))
    registerProviderRoutes(
      a,
      () => undefined,
      () => log,
    )
    const list = (await (await a.request('/v1/provider/demands?since=1500')).json()) as Record<
      string,
      unknown
    >[]
    expect(list).toEqual([
      {
        demandId: 'd2',
        at: 2000,
        kind: 'onnx-inference',
        maxPricePerUnit: '1000000000000000000',
        decision: 'not-sampled',
      },
    ])
    expect((await a.request('/v1/provider/demands?since=soon')).status).toBe(400)
    expect((await app().request('/v1/provider/demands')).status).toBe(409)
  })
})
