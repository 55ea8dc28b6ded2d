import type { PrivateKey, Stream } from '@libp2p/interface'
import type { z } from 'zod'
import { InvalidInputError } from '../../errors.js'
import { type Channel, channel } from '../../net/channel.js'
import { encodeFrame } from '../../net/framing.js'
import { signPayload, verifyPayload } from '../../net/signing.js'
import { sha256Hex } from './codec.js'
import { FL_DOMAIN, FL_FRAME_LIMITS } from './protocol.js'

/** A message header before signing: the wire layer adds `body` (sha256 of the body) and `sig`. */
export type Unsigned<M> = M extends unknown ? Omit<M, 'sig' | 'body'> : never

/** A verified message: its header (signature and body hash checked) and its body. */
export interface Received<M> {
  header: M
  body: Uint8Array
}

/** A signed, framed `/mutirao/fl/1` message stream with one authenticated remote peer. */
export interface FlWire {
  readonly remotePeer: string
  /** Signs and sends one message; a non-empty body is bound to the signature by its sha256. */
  send(header: Record<string, unknown>, body?: Uint8Array): Promise<void>
  /** Receives the next message, checks its schema, body hash and signature by the remote peer. */
  recv<S extends z.ZodType>(schema: S, options?: { signal?: AbortSignal }): Promise<Received<z.infer<S>>>
  close(): Promise<void>
  abort(err: Error): void
}

/** Options of {@link flWire}. */
export interface FlWireOptions {
  /** This side's libp2p key (signs every message). */
  key: PrivateKey
  /** The peer at the other end (from the noise-authenticated connection). */
  remotePeer: string
  /** Sees every frame exactly as it is written to the stream (tests capture what a holder sends). */
  onSend?: (frame: Uint8Array) => void
}

/** Wraps a stream as an {@link FlWire}. */
export function flWire(stream: Stream, options: FlWireOptions): FlWire {
  const ch: Channel = channel(stream, FL_FRAME_LIMITS)
  const { key, remotePeer } = options
  return {
    remotePeer,
    async send(header, body) {
      const unsigned = { ...header, ...(body && body.length > 0 ? { body: sha256Hex(body) } : {}) }
      const signed = { ...unsigned, sig: await signPayload(key, FL_DOMAIN, unsigned) }
      options.onSend?.(encodeFrame(signed, body))
      await ch.send(signed, body)
    },
    async recv(schema, opts) {
      const { header, body } = await ch.recv(schema, opts)
      const { sig, ...unsigned } = header as { sig: string; body?: string }
      if (body.length > 0 ? unsigned.body !== sha256Hex(body) : unsigned.body !== undefined) {
        throw new InvalidInputError(`Message body from ${remotePeer} does not match its signed hash`)
      }
      await verifyPayload(remotePeer, FL_DOMAIN, unsigned, sig)
      return { header, body }
    },
    close: () => ch.close(),
    abort: (err) => ch.abort(err),
  }
}
