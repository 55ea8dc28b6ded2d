import type { Context, Hono } from 'hono'
import { BlobTooLargeError, type DiskBlobStore } from '../store/blob-store.js'

/**
 * Content-addressed blobs (models, input sets, wasm modules): `POST /v1/blobs` stores bytes of at most
 * `maxBytes` and answers their sha256; `GET /v1/blobs/:hash` says whether the node holds them (404 if not),
 * so that a client sends a model or input set only once.
 */
export function registerBlobRoutes(
  app: Hono,
  blobs: Pick<DiskBlobStore, 'putStream' | 'has' | 'size'>,
  maxBytes: number,
): void {
  // The body goes to disk as it arrives (hashed on the way), never whole in memory; a declared length over the
  // limit is refused before any byte is read, a streamed one as soon as it passes it. (Hono's bodyLimit
  // would buffer a streamed body whole, with copies: 700 ms for 41 MB here.)
  app.post('/v1/blobs', async (ctx) => {
    if (Number(ctx.req.header('content-length') ?? 0) > maxBytes) return tooLargeAnswer(ctx, maxBytes)
    try {
      const { hash, size } = await blobs.putStream(ctx.req.raw.body ?? emptyBody(), maxBytes)
      return ctx.json({ hash, size }, 201)
    } catch (err) {
      if (err instanceof BlobTooLargeError) return tooLargeAnswer(ctx, maxBytes)
      throw err
    }
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

const tooLargeAnswer = (ctx: Context, maxBytes: number) =>
  ctx.json(
    { error: { name: 'PayloadTooLarge', message: `blob larger than ${maxBytes} bytes`, hints: [] } },
    413,
  )

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
