import type { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'

/** Least time between two snapshots of one stream (a job of many small tasks changes hundreds of times a second). */
const MIN_GAP_MS = 250
/** Most time between two snapshots: provider state and peers change without a job event. */
const MAX_GAP_MS = 2000

/** What `GET /v1/events` sends in each snapshot. */
export interface EventSources {
  /** Fires `change` whenever a job's progress changes. */
  changes: EventTarget
  snapshot: () => { node: unknown; jobs: unknown; fl?: unknown }
}

/** Resolves on `change`, after `ms`, or when `signal` aborts, whichever comes first. */
function nextChange(changes: EventTarget, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      changes.removeEventListener('change', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    changes.addEventListener('change', done)
    signal.addEventListener('abort', done)
  })
}

/**
 * `GET /v1/events`: server-sent events for the dashboard — a `snapshot` event (`{ node, jobs, fl }`, as
 * `GET /v1/node`, `GET /v1/jobs` and `GET /v1/fl/runs`) at once, then on every job change (at most 4 a second) and at least every
 * 2 s, until the client goes away.
 */
export function registerEventRoutes(app: Hono, c: EventSources): void {
  app.get('/v1/events', (ctx) =>
    streamSSE(ctx, async (stream) => {
      const gone = new AbortController()
      stream.onAbort(() => gone.abort())
      for (let id = 0; !gone.signal.aborted; id++) {
        await stream.writeSSE({ event: 'snapshot', id: String(id), data: JSON.stringify(c.snapshot()) })
        await stream.sleep(MIN_GAP_MS)
        await nextChange(c.changes, MAX_GAP_MS - MIN_GAP_MS, gone.signal)
      }
    }),
  )
}
