import { z } from 'zod'
import { parsePrice } from '../market/price.js'
import { LOCAL_NETWORK, NETWORK_NAME } from '../net/wire.js'

/** `tab-config.json`, written by the node that serves the page (or by whoever hosts the static build). */
export const TabConfigFile = z.object({
  /** WebSocket multiaddrs of nodes to join through. */
  bootstrap: z.array(z.string().max(512)).max(16).default([]),
  /** The network whose protocols the tab speaks (the serving node's). */
  network: z.string().regex(NETWORK_NAME).default(LOCAL_NETWORK),
  /** The chain providers are paid on; absent: unpaid work only. */
  chain: z
    .object({
      rpcUrl: z.string().url().max(512),
      chainId: z.number().int().positive(),
      /** Contract addresses, checked by parseDeployments. */
      deployments: z.unknown(),
    })
    .optional(),
  /** Who serves this page (shown to the visitor). */
  operator: z.string().max(200).optional(),
})
export type TabConfigFile = z.infer<typeof TabConfigFile>

/** The visitor's choices (from the form, or the page's query string). */
export interface TabChoices {
  backend: 'wasm' | 'webgpu' | 'auto'
  /** Share of this machine's cores, 0–1. */
  coreShare: number
  pauseWhenHidden: boolean
  pauseOnBattery: boolean
  /** Asking price, MUT per 1000 units. */
  price: string
}

export const DEFAULT_CHOICES: TabChoices = {
  backend: 'auto',
  coreShare: 0.5,
  pauseWhenHidden: false,
  pauseOnBattery: true,
  price: '0.001',
}

/** Choices and extra bootstrap addresses from a query string (`?backend=wasm&share=0.25&bootstrap=…`). */
export function choicesFromQuery(
  query: URLSearchParams,
  base = DEFAULT_CHOICES,
): TabChoices & { bootstrap: string[] } {
  const backend = query.get('backend')
  const share = Number(query.get('share'))
  const price = query.get('price')
  if (price !== null) parsePrice(price)
  return {
    backend: backend === 'wasm' || backend === 'webgpu' || backend === 'auto' ? backend : base.backend,
    coreShare: share > 0 && share <= 1 ? share : base.coreShare,
    pauseWhenHidden: query.has('pauseHidden') ? query.get('pauseHidden') !== '0' : base.pauseWhenHidden,
    pauseOnBattery: query.has('pauseBattery') ? query.get('pauseBattery') !== '0' : base.pauseOnBattery,
    price: price ?? base.price,
    bootstrap: query.getAll('bootstrap'),
  }
}

/** Tasks at once for a share of `cores` (at least one). */
export const threadsFor = (share: number, cores: number): number => Math.max(1, Math.floor(share * cores))
