import type { PeerId } from '@libp2p/interface'
import { z } from 'zod'
import { InvalidInputError } from '../errors.js'
import { channel } from '../net/channel.js'
import type { Host } from '../net/host.js'
import type { BlobStore } from '../store/blob-store.js'
import { Sha256Hex } from './market-messages.js'

const CHUNK = 1024 * 1024
const LIMITS = { maxHeaderBytes: 4096, maxBodyBytes: CHUNK }
const GetMsg = z.object({ hash: Sha256Hex })
const HeadMsg = z.object({
  ok: z.boolean(),
  size: z.number().int().nonnegative().optional(),
  error: z.string().max(300).optional(),
})
const ChunkMsg = z.object({ last: z.boolean() })

/** Serve blobs from `store` on `/mutirao/blob/1`, to peers for which `allow(peer, hash)` is true. */
export async function serveBlobs(
  host: Host,
  store: BlobStore,
  allow: (peer: string, hash: string) => boolean,
) {
  await host.handle(
    host.services.wire.protocols.blob,
    async (stream, connection) => {
      const ch = channel(stream, LIMITS)
      try {
        const { header } = await ch.recv(GetMsg, { signal: AbortSignal.timeout(10_000) })
        if (!allow(connection.remotePeer.toString(), header.hash) || !store.has(header.hash)) {
          await ch.send({ ok: false, error: 'not found' })
          return
        }
        const bytes = await store.get(header.hash)
        await ch.send({ ok: true, size: bytes.length })
        for (let off = 0; off < bytes.length || off === 0; off += CHUNK) {
          const end = Math.min(off + CHUNK, bytes.length)
          await ch.send({ last: end >= bytes.length }, bytes.subarray(off, end))
          if (end >= bytes.length) break
        }
        await ch.close()
      } catch (err) {
        ch.abort(err as Error)
      }
    },
    // over a relay when no direct path exists, within the relay's limits (src/net/relay-limits.ts)
    { runOnLimitedConnection: true },
  )
}

/** Fetch a blob from `peer`, check its hash, and store it. No-op when the store already has it. */
export async function fetchBlob(
  host: Host,
  peer: PeerId,
  hash: string,
  store: BlobStore,
  options: { maxBytes: number; signal?: AbortSignal },
): Promise<void> {
  if (store.has(hash)) return
  const stream = await host.dialProtocol(peer, host.services.wire.protocols.blob, {
    signal: options.signal,
    runOnLimitedConnection: true,
  })
  const ch = channel(stream, LIMITS)
  try {
    await ch.send({ hash })
    const { header } = await ch.recv(HeadMsg, options)
    if (!header.ok || header.size === undefined)
      throw new InvalidInputError(`Peer ${peer} does not have blob ${hash}`)
    if (header.size > options.maxBytes) {
      throw new InvalidInputError(
        `Blob ${hash} is ${header.size} bytes, over the limit of ${options.maxBytes}`,
      )
    }
    const out = new Uint8Array(header.size)
    let off = 0
    for (;;) {
      const { header: chunk, body } = await ch.recv(ChunkMsg, options)
      if (off + body.length > out.length) throw new InvalidInputError(`Blob ${hash} is longer than announced`)
      out.set(body, off)
      off += body.length
      if (chunk.last) break
    }
    if (off !== out.length) throw new InvalidInputError(`Blob ${hash} is shorter than announced`)
    await store.putVerified(hash, out)
    await ch.close()
  } catch (err) {
    ch.abort(err as Error)
    throw err
  }
}
