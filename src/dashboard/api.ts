/**
 * The dashboard's client of the node's API: every request carries the token handed over by `mutirao ui`;
 * every failure becomes an Error whose message is the node's own (what went wrong and what to do).
 */
export interface DashboardApi {
  get<T>(path: string): Promise<T>
  /** A JSON (or, with `bytes`, octet-stream) request; resolves with the JSON answer. */
  send<T>(method: 'POST' | 'PUT', path: string, body: unknown, bytes?: boolean): Promise<T>
  bytes(path: string): Promise<Uint8Array>
  /** A streaming GET (server-sent events), aborted with `signal`. */
  stream(path: string, signal: AbortSignal): Promise<ReadableStream<Uint8Array>>
}

export function dashboardApi(token: string | null): DashboardApi {
  const auth = { authorization: `Bearer ${token}` }
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    const res = await fetch(path, { ...init, headers: { ...auth, ...init.headers } })
    if (res.ok) return res
    if (res.status === 401)
      throw new Error('the API token is missing or wrong: open the URL `mutirao ui --print` gives')
    const body = (await res.json().catch(() => ({}))) as { error?: { message?: string; hints?: string[] } }
    const hints = body.error?.hints?.length ? ` (${body.error.hints.join(' ')})` : ''
    throw new Error(body.error?.message ? `${body.error.message}${hints}` : `${path}: HTTP ${res.status}`)
  }
  return {
    get: async <T>(path: string) => (await (await call(path)).json()) as T,
    send: async <T>(method: 'POST' | 'PUT', path: string, body: unknown, bytes = false) =>
      (await (
        await call(path, {
          method,
          body: bytes ? (body as Uint8Array<ArrayBuffer>) : JSON.stringify(body),
          headers: { 'content-type': bytes ? 'application/octet-stream' : 'application/json' },
        })
      ).json()) as T,
    bytes: async (path) => new Uint8Array(await (await call(path)).arrayBuffer()),
    stream: async (path, signal) => {
      const res = await call(path, { signal, headers: { accept: 'text/event-stream' } })
      if (!res.body) throw new Error(`${path}: no body`)
      return res.body
    },
  }
}
