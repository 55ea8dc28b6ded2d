import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { registerBlobRoutes } from '../api/blob-routes.js'
import { errorResponse } from '../api/errors.js'
import { blobStore } from '../store/blob-store.js'
import { sha256Hex } from '../store/sha256.js'
import { type ApiCall, putBlob } from './put-blob.js'

describe('putBlob over /v1/blobs', () => {
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('sends bytes the node lacks once; bytes it holds are not sent again; a bad address is a 400', async () => {
    dir = await mkdtemp(join(tmpdir(), 'mutirao-put-blob-'))
    const blobs = blobStore(dir)
    const app = new Hono()
    app.onError((err, ctx) => errorResponse(ctx, err))
    registerBlobRoutes(app, blobs, 1024)
    const posts: (number | 'stream')[] = []
    const call: ApiCall = async (path, init) => {
      if (init?.method === 'POST') posts.push(init.body instanceof Uint8Array ? init.body.length : 'stream')
      const res = await app.request(path, init)
      if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status })
      return res
    }
    const bytes = new TextEncoder().encode('a model, say')
    expect(await putBlob(call, bytes)).toBe(sha256Hex(bytes))
    expect(blobs.has(sha256Hex(bytes))).toBe(true)
    expect(await putBlob(call, bytes)).toBe(sha256Hex(bytes))
    expect(posts).toEqual([bytes.length]) // the second time only the address was sent
    await expect(putBlob(call, new Uint8Array(2048))).rejects.toMatchObject({ status: 413 })
    expect((await app.request('/v1/blobs/not-a-hash')).status).toBe(400)
    expect(await (await app.request(`/v1/blobs/${sha256Hex(bytes)}`)).json()).toEqual({
      hash: sha256Hex(bytes),
      size: bytes.length,
    })
    // parts: hashed as the bytes they make up, streamed one after the other (never joined), not sent again once known
    const parts = [new TextEncoder().encode('inputs, '), new TextEncoder().encode('in two parts')]
    const joined = new TextEncoder().encode('inputs, in two parts')
    expect(await putBlob(call, parts)).toBe(sha256Hex(joined))
    expect(await blobs.get(sha256Hex(joined))).toEqual(joined)
    expect(await putBlob(call, parts)).toBe(sha256Hex(joined))
    // a stream declares no length: the node counts while it stores, refuses past the limit and keeps nothing
    await expect(putBlob(call, [new Uint8Array(1000), new Uint8Array(1000)])).rejects.toMatchObject({
      status: 413,
    })
    expect(posts).toEqual([bytes.length, 2048, 'stream', 'stream']) // the 2,048 bytes were refused (413)
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(blobs.has(sha256Hex(new Uint8Array(2000)))).toBe(false)
  })
})
