import type { PeerId } from '@libp2p/interface'
import type { Host } from '../net/host.js'

/** A provider with its measured round trip. */
export interface MeasuredProvider {
  peer: PeerId
  /** Median of the pings, in milliseconds. */
  rttMs: number
}

/**
 * The connected peers that serve streaming sessions, nearest first by the median of `pings` libp2p
 * pings each. Peers that do not answer are left out.
 */
export async function nearestProviders(host: Host, pings = 3): Promise<MeasuredProvider[]> {
  const candidates: PeerId[] = []
  for (const peer of host.getPeers()) {
    const record = await host.peerStore.get(peer).catch(() => undefined)
    if (record?.protocols.includes(host.services.wire.protocols.stream)) candidates.push(peer)
  }
  const measured = await Promise.all(
    candidates
      .map(async (peer) => {
        const rtts: number[] = []
        for (let i = 0; i < pings; i++)
          rtts.push(await host.services.ping.ping(peer, { signal: AbortSignal.timeout(2000) }))
        rtts.sort((a, b) => a - b)
        return { peer, rttMs: rtts[rtts.length >> 1] }
      })
      .map((p) => p.catch(() => undefined)),
  )
  return measured.filter((m) => m !== undefined).sort((a, b) => a.rttMs - b.rttMs)
}
