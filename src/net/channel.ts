import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { Uint8ArrayList } from 'uint8arraylist'
import type { z } from 'zod'
import { MessageTooLargeError } from '../errors.js'
import {
  DEFAULT_FRAME_LIMITS,
  decodeFrame,
  encodeFrameParts,
  type Frame,
  type FrameBody,
  type FrameLimits,
} from './framing.js'

/** A framed, size-limited, schema-validated message channel over one libp2p stream. */
export interface Channel {
  /**
   * Send one frame. Frames go out in call order; frames sent in the same tick (or while an earlier write
   * waits for the stream to drain) are written together, as one muxer frame, one encryption and one
   * socket write, instead of one each. The body is not copied: its bytes must not change after the call
   * (the transport reads them when it encrypts them, as a rule before the promise settles, not always).
   */
  send(header: unknown, body?: FrameBody, options?: { signal?: AbortSignal }): Promise<void>
  /** Receive the next frame and validate its header. */
  recv<S extends z.ZodType>(schema: S, options?: { signal?: AbortSignal }): Promise<Frame<z.infer<S>>>
  /** Close the stream gracefully, after the frames already sent. */
  close(): Promise<void>
  /** Abort the stream with an error. */
  abort(err: Error): void
  readonly stream: Stream
}

/** How long a graceful close may wait for our queued frames to reach the transport. */
const CLOSE_TIMEOUT_MS = 5_000

interface Pending {
  frame: Uint8ArrayList
  signal?: AbortSignal
  ok: () => void
  fail: (err: Error) => void
}

/**
 * Wrap a stream in a channel whose frames may not exceed `limits` (checked before a frame is buffered).
 * Bytes received ahead of the reader are held up to two full frames: a peer may send the next frame while
 * the last one waits to be read (blob chunks, pipelined tasks), and yamux grants window as data arrives,
 * not as it is read, so this is the bound on what one stream can make us hold.
 */
export function channel(stream: Stream, limits: FrameLimits = DEFAULT_FRAME_LIMITS): Channel {
  const maxData = 4 + limits.maxHeaderBytes + limits.maxBodyBytes
  const lp = lpStream(stream, { maxDataLength: maxData, maxBufferSize: 2 * (maxData + 16) })
  let queue: Pending[] = []
  let flushing: Promise<void> | undefined

  /** Write everything queued, batch by batch, until the queue is empty. */
  const flush = async () => {
    await Promise.resolve() // let the current tick queue more frames
    while (queue.length > 0) {
      const batch = queue
      queue = []
      const signals = batch.flatMap((p) => (p.signal ? [p.signal] : []))
      try {
        await lp.writeV(
          batch.map((p) => p.frame),
          signals.length ? { signal: signals.length === 1 ? signals[0] : AbortSignal.any(signals) } : {},
        )
        for (const p of batch) p.ok()
      } catch (err) {
        for (const p of batch) p.fail(err as Error)
      }
    }
    flushing = undefined
  }

  return {
    stream,
    send(header, body, options) {
      // the body's bytes go to the encryption as they are: a 1 MB task input is not copied into a frame first
      const frame = new Uint8ArrayList(...encodeFrameParts(header, body))
      return new Promise<void>((ok, fail) => {
        if (options?.signal?.aborted) return fail(options.signal.reason as Error)
        queue.push({ frame, signal: options?.signal, ok, fail })
        flushing ??= flush()
      })
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
      // bounded: a peer that stops reading must not hold our side open (the stream is aborted instead)
      const signal = AbortSignal.timeout(CLOSE_TIMEOUT_MS)
      const drained = await Promise.race([
        (flushing ?? Promise.resolve()).then(() => true),
        new Promise<false>((r) => signal.addEventListener('abort', () => r(false), { once: true })),
      ])
      if (!drained)
        return stream.abort(new Error(`peer did not read our last frames in ${CLOSE_TIMEOUT_MS} ms`))
      await stream.close({ signal }).catch(() => stream.abort(new Error('close failed')))
    },
    abort(err) {
      const dropped = queue
      queue = []
      for (const p of dropped) p.fail(err)
      stream.abort(err)
    },
  }
}
