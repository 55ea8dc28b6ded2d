import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import type { Host } from '../net/host.js'

/** The DHT key under which providers of a job kind announce themselves (content routing `provide`). */
export async function kindCid(kind: string): Promise<CID> {
  const digest = await sha256.digest(new TextEncoder().encode(`mutirao/provider/${kind}`))
  return CID.createV1(0x55, digest)
}

/**
 * Find providers of a job kind on the DHT and connect to them (at most `limit`, within `timeoutMs`), so the
 * demand's gossip reaches them: for a kind none of the known providers offers — a rare kind, or providers
 * whose capacity adverts never reached us. Returns the peers connected, ourselves and `skip` excluded.
 */
export async function connectKindProviders(
  host: Pick<Host, 'contentRouting' | 'dial' | 'peerId'>,
  kind: string,
  o: { limit: number; timeoutMs: number; skip?: ReadonlySet<string> },
): Promise<string[]> {
  const signal = AbortSignal.timeout(o.timeoutMs)
  const found: string[] = []
  try {
    for await (const p of host.contentRouting.findProviders(await kindCid(kind), { signal })) {
      const id = p.id.toString()
      if (id === host.peerId.toString() || o.skip?.has(id) || found.includes(id)) continue
      const ok = await host
        .dial(p.multiaddrs.length ? p.multiaddrs : p.id, { signal })
        .then(() => true)
        .catch(() => false)
      if (ok) found.push(id)
      if (found.length >= o.limit) break
    }
  } catch (err) {
    if (!signal.aborted) throw err
  }
  return found
}
