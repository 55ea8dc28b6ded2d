import type { NodeConfig } from '../config/schema.js'

/** The TCP and WebSocket ports a started host listens on, read from its addresses. */
export function boundPorts(multiaddrs: string[]): { tcpPort?: number; wsPort?: number } {
  const direct = multiaddrs.filter((a) => !a.includes('/p2p-circuit'))
  const port = (a?: string) => (a ? Number(a.split('/tcp/')[1]?.split('/')[0]) || undefined : undefined)
  return {
    tcpPort: port(direct.find((a) => a.includes('/tcp/') && !a.includes('/ws'))),
    wsPort: port(direct.find((a) => a.includes('/ws'))),
  }
}

/**
 * The saved config with the ports the host got, when the saved config left them to chance (0) and this
 * start did not override the listen settings: a restarted node then keeps its addresses, so peers and
 * port forwards that know them still reach it. Undefined when nothing is to be saved.
 */
export function withStablePorts(
  saved: NodeConfig,
  overridden: boolean,
  bound: { tcpPort?: number; wsPort?: number },
): NodeConfig | undefined {
  if (overridden || saved.listen.addresses?.length) return undefined
  const tcpPort = saved.listen.tcpPort || bound.tcpPort || 0
  const wsPort = saved.listen.wsPort || bound.wsPort || 0
  if (tcpPort === saved.listen.tcpPort && wsPort === saved.listen.wsPort) return undefined
  return { ...saved, listen: { ...saved.listen, tcpPort, wsPort } }
}
