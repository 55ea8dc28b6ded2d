import { sha256Hex } from '../store/sha256.js'

/** An authenticated call to the node's API that throws on a non-2xx answer (its error has the `status`). */
export type ApiCall = (path: string, init?: RequestInit) => Promise<Response>

/**
 * Store bytes on the node by their content address and return it. The node is asked first: a model or
 * input set it already holds (an earlier job's) is not sent again.
 */
export async function putBlob(call: ApiCall, bytes: Uint8Array): Promise<string> {
  const hash = sha256Hex(bytes)
  const known = await call(`/v1/blobs/${hash}`).then(
    async (res) => {
      await res.body?.cancel()
      return true
    },
    (err: { status?: number }) => {
      if (err.status === 404) return false
      throw err
    },
  )
  if (known) return hash
  const res = await call('/v1/blobs', {
    method: 'POST',
    body: bytes as Uint8Array<ArrayBuffer>,
    headers: { 'content-type': 'application/octet-stream' },
  })
  return ((await res.json()) as { hash: string }).hash
}
