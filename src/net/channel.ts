import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { z } from 'zod'
import { MessageTooLargeError } from '../errors.js'
import { DEFAULT_FRAME_LIMITS, decodeFrame, encodeFrame, type Frame, type FrameLimits } from './framing.js'

/** A framed, size-limited, schema-validated message channel over one libp2p stream. */
export interface Channel {
  /** Send one frame. */
  send(header: unknown, body?: Uint8Array, options?: { signal?: AbortSignal }): Promise<void>
  /** Receive the next frame and validate its header. */
  recv<S extends z.ZodType>(schema: S, options?: { signal?: AbortSignal }): Promise<Frame<z.infer<S>>>
  /** Close the stream gracefully. */
  close(): Promise<void>
  /** Abort the stream with an error. */
  abort(err: Error): void
  readonly stream: Stream
}

/** Wrap a stream in a channel whose frames may not exceed `limits` (checked before a frame is buffered). */
export function channel(stream: Stream, limits: FrameLimits = DEFAULT_FRAME_LIMITS): Channel {
  const maxData = 4 + limits.maxHeaderBytes + limits.maxBodyBytes
  const lp = lpStream(stream, { maxDataLength: maxData, maxBufferSize: maxData + 1024 })
  return {
    stream,
    async send(header, body, options) {
      await lp.write(encodeFrame(header, body), options)
    },
    async recv(schema, options) {
      let list: Awaited<ReturnType<typeof lp.read>>
      try {
        list = await lp.read(options)
      } catch (err) {
        if ((err as Error).name === 'InvalidDataLengthError') {
          throw new MessageTooLargeError(`Peer sent a message larger than ${maxData} bytes`, { cause: err })
        }
        throw err
      }
      return decodeFrame(list.subarray(), schema, limits)
    },
    async close() {
      await stream.close().catch(() => stream.abort(new Error('close failed')))
    },
    abort(err) {
      stream.abort(err)
    },
  }
}
