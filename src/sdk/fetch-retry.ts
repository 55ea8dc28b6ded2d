/**
 * `fetch` that tries an idempotent request (GET, HEAD) once more when the connection it reused was reset.
 *
 * A node's API server closes a kept-alive connection after 5 s without requests. When the node's event loop
 * is held past that moment (a busy machine, a long garbage collection), Node runs the due close before it reads
 * the request already waiting on that socket, and the client sees `ECONNRESET` for a request the node never
 * read (measured in `bench:scale`: a status poll every 500 ms, on a machine running 52 node
 * processes). Such a request is safe to send again on a new connection; a POST is not retried (it may have
 * been acted on), and a refused connection (no node) is not a reset.
 */
export async function fetchRetryingReset(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (err) {
    const method = (init.method ?? 'GET').toUpperCase()
    if ((method === 'GET' || method === 'HEAD') && isReset(err)) return fetch(url, init)
    throw err
  }
}

/** Codes of a connection the server closed under a request (undici reports them as the `cause`). */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])

function isReset(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause
  return err instanceof TypeError && typeof cause?.code === 'string' && RESET_CODES.has(cause.code)
}
