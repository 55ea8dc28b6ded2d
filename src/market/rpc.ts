import type { PeerId } from '@libp2p/interface'
import type { z } from 'zod'
import { firstLine } from '../errors.js'
import { channel } from '../net/channel.js'
import type { Host } from '../net/host.js'

const SMALL = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 0 }

/** One request/response exchange of JSON headers on a fresh stream, with a timeout. */
export async function requestJson<S extends z.ZodType>(
  host: Host,
  peer: PeerId,
  protocol: string,
  message: unknown,
  responseSchema: S,
  timeoutMs = 10_000,
): Promise<z.infer<S>> {
  const signal = AbortSignal.timeout(timeoutMs)
  const stream = await host.dialProtocol(peer, protocol, { signal, runOnLimitedConnection: true })
  const ch = channel(stream, SMALL)
  try {
    await ch.send(message, undefined, { signal })
    const { header } = await ch.recv(responseSchema, { signal })
    await ch.close()
    return header
  } catch (err) {
    ch.abort(err as Error)
    throw err
  }
}

/** Serve a JSON request/response protocol; the handler's errors become `{ ok: false, error }`. */
export async function serveJson<S extends z.ZodType>(
  host: Host,
  protocol: string,
  requestSchema: S,
  handler: (request: z.infer<S>, remotePeer: string) => Promise<Record<string, unknown>>,
): Promise<void> {
  await host.handle(
    protocol,
    async (stream, connection) => {
      const ch = channel(stream, SMALL)
      const signal = AbortSignal.timeout(10_000)
      try {
        let reply: Record<string, unknown>
        try {
          const { header } = await ch.recv(requestSchema, { signal })
          reply = await handler(header, connection.remotePeer.toString())
        } catch (err) {
          reply = { ok: false, error: firstLine(err).slice(0, 480) }
        }
        await ch.send(reply, undefined, { signal })
        await ch.close()
      } catch (err) {
        ch.abort(err as Error)
      }
    },
    { runOnLimitedConnection: true },
  )
}
