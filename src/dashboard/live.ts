import type { DashboardApi } from './api.js'

/**
 * Parse a server-sent-events byte stream into `{ event, data }` messages (the subset `GET /v1/events` sends:
 * `event:`, `data:` and `id:` lines, a blank line ending each message). Pure: tested in Node.
 */
export async function* sseMessages(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.getReader()
  const text = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    buffer += text.decode(value, { stream: true })
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      let event = 'message'
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim()
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length) yield { event, data: data.join('\n') }
    }
  }
}

/**
 * Follow `GET /v1/events` (fetch, so that the token goes in a header, not the URL), calling `onSnapshot` with
 * each snapshot; on a lost stream, `onError` and a new try 2 s later. Returns a function that stops.
 */
export function followEvents<T>(
  api: DashboardApi,
  onSnapshot: (s: T) => void,
  onError: (e: Error) => void,
): () => void {
  const stop = new AbortController()
  void (async () => {
    while (!stop.signal.aborted) {
      try {
        for await (const m of sseMessages(await api.stream('/v1/events', stop.signal)))
          if (m.event === 'snapshot') onSnapshot(JSON.parse(m.data) as T)
        throw new Error('the node closed the live view')
      } catch (e) {
        if (stop.signal.aborted) return
        onError(e as Error)
        await new Promise((r) => setTimeout(r, 2000))
      }
    }
  })()
  return () => stop.abort()
}
