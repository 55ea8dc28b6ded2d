import type { Libp2p } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../log.js'

/**
 * Dial bootstrap peers now and again every `intervalMs` whenever we are not connected to them: a node
 * (or a browser tab, which can only dial out) that lost its bootstrap peers would otherwise hear no
 * gossip again. Returns the function that stops it.
 */
export function keepDialing(
  host: Pick<Libp2p, 'dial' | 'getPeers'>,
  addrs: readonly string[],
  log: Pick<Logger, 'debug'>,
  intervalMs = 3000,
): () => void {
  if (!addrs.length) return () => {}
  const targets = addrs.map((a) => multiaddr(a))
  const dialAll = () => {
    for (const ma of targets) {
      const peer = ma.getComponents().find((c) => c.name === 'p2p')?.value
      if (peer && host.getPeers().some((p) => p.toString() === peer)) continue
      host
        .dial(ma, { signal: AbortSignal.timeout(5000) })
        .catch((err: Error) => log.debug({ addr: ma.toString(), err: err.message }, 'bootstrap dial failed'))
    }
  }
  dialAll()
  const timer = setInterval(dialAll, intervalMs)
  return () => clearInterval(timer)
}
