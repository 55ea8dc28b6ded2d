import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { InvalidInputError } from '../errors.js'
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
 * node's config. Absent `policy` (not a provider): 409.
 */
export function registerProviderRoutes(app: Hono, policy: () => LivePolicy | undefined): void {
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
