import { z } from 'zod'

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

/** The owner's provider policy. */
export const ProviderConfigSchema = z.object({
  /** Share of the CPU cores that tasks may use (worker threads = ceil(share × cores)). */
  cpuShare: z.number().gt(0).max(1).default(0.5),
  /** Share of the machine's memory that tasks may use. */
  memoryShare: z.number().gt(0).max(1).default(0.25),
  /** Price per work unit, in token base units (decimal string). */
  pricePerUnit: z.string().regex(/^\d+$/, 'a non-negative integer in token base units').default('1'),
  /** Stop taking new work while the owner uses the machine. */
  idleOnly: z
    .object({
      enabled: z.boolean().default(false),
      busyThreshold: z.number().gt(0).max(1).default(0.25),
      idleAfterSeconds: z.number().min(0).default(180),
      sampleMs: z.number().int().min(50).default(1000),
    })
    .prefault({}),
})

/** The whole node configuration, stored as `config.json` in the data dir. */
export const NodeConfigSchema = z.object({
  version: z.literal(1).default(1),
  listen: ListenConfigSchema.prefault({}),
  /** Multiaddrs of peers to dial at start-up. */
  bootstrap: z.array(z.string()).default([]),
  /** Discover peers on the LAN with mDNS. */
  mdns: z.boolean().default(true),
  provider: ProviderConfigSchema.prefault({}),
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
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>
