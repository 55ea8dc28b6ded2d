import type { TabConfig } from '../api/tab-routes.js'
import { webSocketAddresses } from '../net/addresses.js'
import type { Host } from '../net/host.js'
import type { ChainConnection } from './chain-setup.js'

/**
 * What the browser-tab page served by this node is told (`/tab/tab-config.json`): the node's WebSocket
 * addresses to join through, its network (the protocol ids the tab must speak) and the chain it is paid on.
 */
export function tabConfigOf(host: Host, chain: ChainConnection, peerId: string): TabConfig {
  return {
    bootstrap: webSocketAddresses(host.getMultiaddrs()),
    network: host.services.wire.network,
    chain: {
      rpcUrl: chain.rpcUrl,
      chainId: chain.ledger.chainId,
      deployments: {
        ...chain.ledger.deployments,
        fromBlock: chain.ledger.deployments.fromBlock.toString(),
      },
    },
    operator: `node ${peerId}`,
  }
}
