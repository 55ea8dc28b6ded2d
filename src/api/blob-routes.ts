import type { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { BlobStore } from '../store/blob-store.js'

/**
 * Content-addressed blobs (models, input sets, wasm modules): `POST /v1/blobs` stores bytes of at most
 * `maxBytes` and answers their sha256; `GET /v1/blobs/:hash` says whether the node holds them (404 if not),
 * so that a client sends a model or input set only once.
 */
export function registerBlobRoutes(app: Hono, blobs: BlobStore, maxBytes: number): void {
  const tooLarge = bodyLimit({
    maxSize: maxBytes,
    onError: (ctx) =>
      ctx.json(
        { error: { name: 'PayloadTooLarge', message: `blob larger than ${maxBytes} bytes`, hints: [] } },
        413,
      ),
  })
  app.post('/v1/blobs', tooLarge, async (ctx) => {
    const bytes = new Uint8Array(await ctx.req.arrayBuffer())
    return ctx.json({ hash: await blobs.put(bytes), size: bytes.length }, 201)
  })
  app.get('/v1/blobs/:hash', async (ctx) => {
    const hash = ctx.req.param('hash')
    if (!blobs.has(hash))
      return ctx.json(
        {
          error: {
            name: 'NotFound',
            message: `no blob ${hash} on this node`,
            hints: ['Send it: POST /v1/blobs.'],
          },
        },
        404,
      )
    return ctx.json({ hash, size: await blobs.size(hash) })
  })
}
