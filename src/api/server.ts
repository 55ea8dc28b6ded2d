import { timingSafeEqual } from 'node:crypto'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { FlService } from '../fl/network/service.js'
import type { DemandLog } from '../provider/explain.js'
import type { LivePolicy } from '../provider/live-policy.js'
import type { Requester } from '../requester/requester.js'
import type { DiskBlobStore } from '../store/blob-store.js'
import { registerBlobRoutes } from './blob-routes.js'
import { registerDashboardRoutes } from './dashboard-routes.js'
import { errorResponse } from './errors.js'
import { registerEventRoutes } from './event-routes.js'
import { registerFlRoutes } from './fl-routes.js'
import { escrowSummary, type LedgerRouteComponents, registerLedgerRoutes } from './ledger-routes.js'
import type { MetricsRegistry } from './metrics.js'
import { registerProviderRoutes } from './provider-routes.js'
import { registerSessionRoutes } from './session-routes.js'
import { registerTabRoutes, type TabConfig } from './tab-routes.js'

/** Jobs of `GET /v1/jobs` (and each live snapshot) sent with their shard maps: the newest. */
const SHARD_MAPS = 5

/** Components of the local HTTP API. */
export interface ApiComponents {
  requester: Requester
  blobs: DiskBlobStore
  token: string
  metrics: MetricsRegistry
  /** Node status for `GET /v1/node`. */
  status: () => unknown
  maxBlobBytes: number
  /** Ledger routes (`/v1/ledger/*`, job reclaim); absent = not served. */
  ledger?: LedgerRouteComponents
  /** The provider policy in force (`/v1/provider/policy`); absent = not a provider. */
  policy?: () => LivePolicy | undefined
  /** The demands the provider saw (`/v1/provider/demands`); absent = not a provider. */
  demands?: () => DemandLog | undefined
  /** Federated learning run by the node (`/v1/fl/*`); absent = not served. */
  fl?: FlService
  /** The browser-tab provider's page (`/tab/`) and what it is told; absent = not served. */
  tab?: () => TabConfig
}

/** Build the API app (exported for in-process tests). */
export function apiApp(c: ApiComponents): Hono {
  const app = new Hono()
  const expected = Buffer.from(`Bearer ${c.token}`)
  app.get('/metrics', async (ctx) =>
    ctx.text(await c.metrics.metrics(), 200, { 'content-type': c.metrics.contentType }),
  )
  app.use('/v1/*', async (ctx, next) => {
    const given = Buffer.from(ctx.req.header('authorization') ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return ctx.json(
        {
          error: {
            name: 'Unauthorized',
            message: 'missing or wrong API token',
            hints: ['The token is in <data-dir>/api.token.'],
          },
        },
        401,
      )
    }
    await next()
  })
  app.onError((err, ctx) => errorResponse(ctx, err))
  app.get('/v1/node', (ctx) => ctx.json(c.status() as object))
  registerBlobRoutes(app, c.blobs, c.maxBlobBytes)
  app.post('/v1/jobs', bodyLimit({ maxSize: 64 * 1024 }), async (ctx) => {
    let spec: unknown
    try {
      spec = await ctx.req.json()
    } catch {
      return ctx.json(
        { error: { name: 'InvalidInputError', message: 'job spec is not valid JSON', hints: [] } },
        400,
      )
    }
    return ctx.json(await c.requester.submit(spec as never), 201)
  })
  /** Jobs, newest first, with their escrow; the newest few with their shard maps (who computes what). */
  const jobs = () =>
    c.requester.list().map((p, i) => ({
      ...p,
      ...(c.ledger && { escrow: escrowSummary(c.ledger, p.jobId) }),
      ...(i < SHARD_MAPS && { shardMap: c.requester.shardMap(p.jobId) }),
    }))
  app.get('/v1/jobs', (ctx) => ctx.json(jobs()))
  registerEventRoutes(app, {
    changes: c.requester.changes,
    snapshot: () => ({ node: c.status(), jobs: jobs(), fl: c.fl?.runs() ?? [] }),
  })
  app.get('/v1/jobs/:id', async (ctx) => {
    const after = Number(ctx.req.query('after') ?? Number.NaN)
    const waitMs = Math.min(Number(ctx.req.query('waitMs') ?? 0) || 0, 30_000)
    const id = ctx.req.param('id')
    const progress = Number.isFinite(after)
      ? await c.requester.waitForChange(id, after, waitMs)
      : c.requester.get(id)
    return ctx.json({
      ...progress,
      ...(c.ledger && { escrow: escrowSummary(c.ledger, id) }),
      shardMap: c.requester.shardMap(id),
    })
  })
  app.get('/v1/jobs/:id/result', async (ctx) => {
    const bytes = await c.requester.result(ctx.req.param('id'))
    return ctx.body(bytes as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream' })
  })
  app.post('/v1/jobs/:id/cancel', (ctx) => {
    c.requester.get(ctx.req.param('id'))
    c.requester.cancel(ctx.req.param('id'))
    return ctx.json({ ok: true })
  })
  registerProviderRoutes(app, c.policy ?? (() => undefined), c.demands)
  if (c.fl) registerFlRoutes(app, c.fl)
  if (c.tab) registerTabRoutes(app, c.tab)
  registerDashboardRoutes(app)
  if (c.ledger) {
    registerLedgerRoutes(app, c.ledger)
    registerSessionRoutes(app, c.ledger.ledger)
  }
  return app
}

/** Serve the API on 127.0.0.1:`port` (0 = any free port); resolves with its URL and a close function. */
export async function startApi(
  c: ApiComponents,
  port = 0,
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = apiApp(c)
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      })
    })
  })
}
