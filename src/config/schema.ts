import { z } from 'zod'
import { ProviderPolicySchema } from '../provider/policy.js'

/** Listen addresses of the node's libp2p host and local API. */
export const ListenConfigSchema = z.object({
  /** Interface to bind: `127.0.0.1` for loopback only, `0.0.0.0` for the LAN. */
  host: z.string().default('127.0.0.1'),
  /** TCP port for libp2p (0 = any free port). */
  tcpPort: z.number().int().min(0).max(65535).default(0),
  /** WebSocket port for libp2p (0 = any free port). */
  wsPort: z.number().int().min(0).max(65535).default(0),
  /** Port of the local HTTP API on 127.0.0.1 (0 = any free port). */
  apiPort: z.number().int().min(0).max(65535).default(0),
})

/** The whole node configuration, stored as `config.json` in the data dir. */
export const NodeConfigSchema = z.object({
  version: z.literal(1).default(1),
  listen: ListenConfigSchema.prefault({}),
  /** Multiaddrs of peers to dial at start-up. */
  bootstrap: z.array(z.string()).default([]),
  /** Discover peers on the LAN with mDNS. */
  mdns: z.boolean().default(true),
  /** The owner's provider policy (share of cores and memory, price, idle-only mode). */
  provider: ProviderPolicySchema.prefault({}),
  chain: z
    .object({
      /** JSON-RPC URL of an EVM chain; absent = start an embedded anvil. */
      rpcUrl: z.string().url().optional(),
      /** Contract addresses for `rpcUrl`. */
      deploymentsFile: z.string().optional(),
    })
    .prefault({}),
})

export type NodeConfig = z.infer<typeof NodeConfigSchema>
