import type { Connection } from '@libp2p/interface'

/** One open connection as `status` shows it. */
export interface ConnectionView {
  peer: string
  /** The address it runs over: a `/p2p-circuit` address when relayed. */
  addr: string
  /** `direct` (our own transport to the peer), or `relayed` through a circuit relay v2 node. */
  path: 'direct' | 'relayed'
  direction: 'inbound' | 'outbound'
  /** Limits the relay applies (bytes each way, seconds), when relayed. */
  limits?: { bytes?: string; seconds?: number }
}

/** Whether a connection runs through a circuit relay (its address is a `/p2p-circuit` one, or it has limits). */
export function isRelayed(c: Connection): boolean {
  return c.remoteAddr.toString().includes('/p2p-circuit') || c.limits !== undefined
}

/** What the node's open connections are: who, over which path, within which relay limits. */
export function connectionViews(connections: Connection[]): ConnectionView[] {
  return connections.map((c) => {
    return {
      peer: c.remotePeer.toString(),
      addr: c.remoteAddr.toString(),
      path: isRelayed(c) ? 'relayed' : 'direct',
      direction: c.direction,
      ...(c.limits ? { limits: { bytes: c.limits.bytes?.toString(), seconds: c.limits.seconds } } : {}),
    }
  })
}

/** Whether every open connection to a peer runs through a relay (no direct path was found). */
export function onlyRelayed(connections: Connection[]): boolean {
  return connections.length > 0 && connectionViews(connections).every((c) => c.path === 'relayed')
}
