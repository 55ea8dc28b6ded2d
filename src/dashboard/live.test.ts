import { describe, expect, it } from 'vitest'
import { sseMessages } from './live.js'

/** A byte stream that delivers `chunks` one by one (split anywhere, as a network does). */
const streamOf = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const s of chunks) c.enqueue(new TextEncoder().encode(s))
      c.close()
    },
  })

describe('sseMessages', () => {
  it('parses events split across chunks, multi-line data, and skips comments and data-less blocks', async () => {
    const got = []
    for await (const m of sseMessages(
      streamOf(['event: snap', 'shot\nid: 0\ndata: {"a":', '1}\n\n: keep-alive\n\n', 'data: x\ndata: y\n\n']),
    ))
      got.push(m)
    expect(got).toEqual([
      { event: 'snapshot', data: '{"a":1}' },
      { event: 'message', data: 'x\ny' },
    ])
  })
})
