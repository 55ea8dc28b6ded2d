import type { Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { InvalidInputError } from '../errors.js'
import type { FlService } from '../fl/network/service.js'

/**
 * Federated learning in the node: `POST /v1/fl/coordinations` (run a job as its coordinator),
 * `POST /v1/fl/holdings` (join one as a data holder, rows from a file on this machine), `GET /v1/fl/runs` and
 * `GET /v1/fl/runs/:id?after=<seq>` (a run and its events after a sequence number: clients follow it),
 * `GET /v1/fl/runs/:id/lineage` (a coordinated model's lineage, verified).
 */
export function registerFlRoutes(app: Hono, fl: FlService): void {
  const json = async (req: { json(): Promise<unknown> }) =>
    req.json().catch(() => {
      throw new InvalidInputError('request body is not valid JSON')
    })
  app.post('/v1/fl/coordinations', bodyLimit({ maxSize: 1 << 20 }), async (ctx) =>
    ctx.json(await fl.coordinate(await json(ctx.req)), 201),
  )
  app.post('/v1/fl/holdings', bodyLimit({ maxSize: 16 * 1024 }), async (ctx) =>
    ctx.json(await fl.join(await json(ctx.req)), 201),
  )
  app.get('/v1/fl/runs', (ctx) => ctx.json(fl.runs()))
  app.get('/v1/fl/runs/:id/lineage', async (ctx) => {
    const checked = await fl.lineage(ctx.req.param('id'))
    return checked ? ctx.json(checked) : notFound(ctx, ctx.req.param('id'))
  })
  app.get('/v1/fl/runs/:id', (ctx) => {
    const after = Number(ctx.req.query('after') ?? -1)
    const run = fl.run(ctx.req.param('id'), Number.isInteger(after) ? after : -1)
    return run ? ctx.json(run) : notFound(ctx, ctx.req.param('id'))
  })
}

const notFound = (ctx: Context, id: string) =>
  ctx.json(
    {
      error: {
        name: 'NotFound',
        message: `no fl run ${id.slice(0, 100)} on this node`,
        hints: ['List them with GET /v1/fl/runs.'],
      },
    },
    404,
  )
