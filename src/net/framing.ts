import type { z } from 'zod'
import { InvalidInputError, MessageTooLargeError } from '../errors.js'

/**
 * A wire frame: a JSON control header and an optional binary body (tensors, model bytes).
 * Layout: u32 big-endian header length | UTF-8 JSON header | body bytes.
 */
export interface Frame<H> {
  header: H
  body: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** A frame body: one byte array, or consecutive parts of one (e.g. encodeTensorParts). */
export type FrameBody = Uint8Array | readonly Uint8Array[]

/**
 * A frame as consecutive parts: the length-prefixed header, then the body's parts as given (views, not
 * copies: they must not change until the frame is written).
 */
export function encodeFrameParts(header: unknown, body?: FrameBody): Uint8Array[] {
  const json = encoder.encode(JSON.stringify(header))
  const head = new Uint8Array(4 + json.length)
  new DataView(head.buffer).setUint32(0, json.length)
  head.set(json, 4)
  if (body === undefined) return [head]
  return body instanceof Uint8Array ? [head, body] : [head, ...body]
}

/** Encode a header and an optional body into one frame (the body is copied into it). */
export function encodeFrame(header: unknown, body?: FrameBody): Uint8Array {
  const parts = encodeFrameParts(header, body)
  if (parts.length === 1) return parts[0]
  let size = 0
  for (const part of parts) size += part.byteLength
  const out = new Uint8Array(size)
  let p = 0
  for (const part of parts) {
    out.set(part, p)
    p += part.byteLength
  }
  return out
}

/** Limits applied before a frame is parsed. */
export interface FrameLimits {
  maxHeaderBytes: number
  maxBodyBytes: number
}

/** Default limits: 64 KiB of header, 16 MiB of body. */
export const DEFAULT_FRAME_LIMITS: FrameLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 16 * 1024 * 1024 }

/**
 * Decode a frame and validate its header with a zod schema. Sizes are checked before parsing.
 * Throws MessageTooLargeError or InvalidInputError naming the problem.
 */
export function decodeFrame<S extends z.ZodType>(
  bytes: Uint8Array,
  schema: S,
  limits: FrameLimits = DEFAULT_FRAME_LIMITS,
): Frame<z.infer<S>> {
  if (bytes.length < 4) throw new InvalidInputError('Frame shorter than its 4-byte header length')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLength = view.getUint32(0)
  if (headerLength > limits.maxHeaderBytes) {
    throw new MessageTooLargeError(`Frame header of ${headerLength} bytes exceeds ${limits.maxHeaderBytes}`)
  }
  if (4 + headerLength > bytes.length) throw new InvalidInputError('Frame header length runs past the frame')
  const bodyLength = bytes.length - 4 - headerLength
  if (bodyLength > limits.maxBodyBytes) {
    throw new MessageTooLargeError(`Frame body of ${bodyLength} bytes exceeds ${limits.maxBodyBytes}`)
  }
  let json: unknown
  try {
    json = JSON.parse(decoder.decode(bytes.subarray(4, 4 + headerLength)))
  } catch (err) {
    throw new InvalidInputError('Frame header is not valid UTF-8 JSON', { cause: err })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidInputError(`Invalid message: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
  }
  return { header: parsed.data, body: bytes.subarray(4 + headerLength) }
}
