import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log.js'
import { isLoopbackOnly } from './addresses.js'
import type { Host } from './host.js'
import { addressesToRemember, loadKnownPeers, saveKnownPeers } from './known-peers.js'

/**
 * Dial the peers remembered from the last run once (so a restarted node rejoins without its bootstrap
 * list), and remember the connected peers every minute and at stop.
 */
export async function rejoinKnownPeers(
  host: Host,
  file: string,
  bootstrap: string[],
  log: Logger,
): Promise<() => Promise<void>> {
  const known = (await loadKnownPeers(file)).filter((a) => !bootstrap.includes(a))
  for (const a of known)
    host
      .dial(multiaddr(a), { signal: AbortSignal.timeout(10_000) })
      .catch((err) => log.debug({ addr: a, err: err.message }, 'known peer dial failed'))
  if (known.length) log.info({ peers: known.length }, 'dialing peers known from the last run')
  const loopback = isLoopbackOnly(host.getMultiaddrs().map(String))
  const remember = async () => {
    const peers = await Promise.all(
      host.getPeers().map(async (id) => ({
        id: id.toString(),
        addrs:
          (await host.peerStore.get(id).catch(() => undefined))?.addresses.map((a) =>
            a.multiaddr.toString(),
          ) ?? [],
      })),
    )
    const addrs = addressesToRemember(peers, loopback)
    if (addrs.length) await saveKnownPeers(file, addrs).catch(() => {})
  }
  const timer = setInterval(() => void remember(), 60_000)
  timer.unref()
  return async () => {
    clearInterval(timer)
    await remember()
  }
}
