import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { InvalidInputError } from '../errors.js'
import type { DemandLog } from '../provider/explain.js'
import type { LivePolicy } from '../provider/live-policy.js'

/** 409: the node does not run the provider role, so it has no provider policy. */
function notProvider(ctx: Context) {
  return ctx.json(
    {
      error: {
        name: 'NotProviderError',
        message: 'this node is not a provider: it has no provider policy',
        hints: ['Start the node with `mutirao node --provide`.'],
      },
    },
    409,
  )
}

/**
 * The owner's provider policy while the node runs: `GET /v1/provider/policy` shows it, `PUT` changes any of
 * price (MUT per 1,000 work units), paused, idleOnly and cpuShare — validated, applied at once, saved to the
 * node's config. `GET /v1/provider/demands?since=<ms epoch>`: the demands this provider saw (the last 500),
 * when, and what it did with each. Absent `policy` (not a provider): 409.
 */
export function registerProviderRoutes(
  app: Hono,
  policy: () => LivePolicy | undefined,
  demands: () => DemandLog | undefined = () => undefined,
): void {
  app.get('/v1/provider/demands', (ctx) => {
    const log = demands()
    if (!log) return notProvider(ctx)
    const since = Number(ctx.req.query('since') ?? 0)
    if (!Number.isFinite(since))
      throw new InvalidInputError('since is not a number', {
        metaMessages: ['Give milliseconds since the epoch.'],
      })
    return ctx.json(log.since(since).map((d) => ({ ...d, maxPricePerUnit: d.maxPricePerUnit.toString() })))
  })
  app.get('/v1/provider/policy', (ctx) => {
    const p = policy()
    return p ? ctx.json(p.view()) : notProvider(ctx)
  })
  const limit = bodyLimit({
    maxSize: 4096,
    onError: (ctx) =>
      ctx.json(
        {
          error: { name: 'PayloadTooLarge', message: 'a policy change is at most 4 KiB of JSON', hints: [] },
        },
        413,
      ),
  })
  app.put('/v1/provider/policy', limit, async (ctx) => {
    const p = policy()
    if (!p) return notProvider(ctx)
    const body = await ctx.req.json().catch(() => {
      throw new InvalidInputError('policy change is not valid JSON', {
        metaMessages: ['Send e.g. {"price": "0.002"} or {"paused": true}.'],
      })
    })
    return ctx.json(await p.apply(body))
  })
}
