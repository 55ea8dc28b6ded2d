import { z } from 'zod'
import { NETWORK_NAME } from '../net/wire.js'
import { ProviderPolicySchema } from './provider-policy.js'

/** Listen addresses of the node's libp2p host and local API. */
export const ListenConfigSchema = z.object({
  /** Interface to bind: all interfaces by default (`0.0.0.0`); `127.0.0.1` keeps the node on this machine. */
  host: z.string().default('0.0.0.0'),
  /** TCP port for libp2p (0 = any free port; the port a node got is then saved, so it stays across restarts). */
  tcpPort: z.number().int().min(0).max(65535).default(0),
  /** WebSocket port for libp2p (0 = any free port). */
  wsPort: z.number().int().min(0).max(65535).default(0),
  /** Port of the local HTTP API on 127.0.0.1 (0 = any free port). */
  apiPort: z.number().int().min(0).max(65535).default(0),
  /** libp2p listen multiaddrs; when set they replace `host`, `tcpPort` and `wsPort`. */
  addresses: z.array(z.string().max(300)).max(16).optional(),
  /** Multiaddrs to announce instead of the listen addresses (a public address or a forwarded port). */
  announce: z.array(z.string().max(300)).max(16).default([]),
})

/** Reaching and being reached from behind a NAT (applies only to a node that is not on loopback). */
export const NatConfigSchema = z.object({
  /** Relays to hold a reservation on (each advertises a `/p2p-circuit` address of ours); 0 = none. */
  reservations: z.number().int().min(0).max(8).default(2),
  /**
   * TCP port outgoing connections leave from, for hole punching (a NAT that keeps ports then maps every
   * connection to one external port that peers can punch to); 0 = a free port chosen at each start.
   */
  dialPort: z.number().int().min(0).max(65535).default(0),
  /**
   * Ask the home router (the default gateway) to forward the libp2p TCP port with NAT-PMP, and announce the
   * forwarded address. Off by default: it talks to the gateway, which a node must not do unasked.
   */
  portMapping: z.boolean().default(false),
})

/** Serving as a circuit relay v2 for NATed peers (for reachable nodes). */
export const RelayConfigSchema = z.object({
  enabled: z.boolean().default(false),
  maxReservations: z.number().int().positive().max(10_000).default(128),
  /** A relayed connection closes after this many seconds … */
  durationSeconds: z.number().int().positive().max(86_400).default(600),
  /** … or after this many MiB in each direction. */
  dataMiB: z.number().int().positive().max(1_048_576).default(256),
})

/** Serving the on-chain InferenceOracle (providers only; `mutirao node --provide --oracle`). */
export const OracleConfigSchema = z.object({
  enabled: z.boolean().default(false),
  /** Least fee share per answer, in token base units (decimal string); requests paying less are skipped. */
  minFeePerAnswer: z
    .string()
    .regex(/^\d{1,78}$/, 'oracle.minFeePerAnswer must be a whole number of token base units, e.g. "1000"')
    .default('0'),
  /** ONNX model files put in the blob store at start, so requests for them can be answered. */
  models: z.array(z.string().max(4096)).max(64).default([]),
})

/** The whole node configuration, stored as `config.json` in the data dir. */
export const NodeConfigSchema = z.object({
  version: z.literal(1).default(1),
  /** Name of the network joined with `mutirao init --network` (absent: the local development network). */
  network: z
    .string()
    .regex(NETWORK_NAME, "network: lower-case letters, digits and dashes, up to 40 (a profile's name)")
    .optional(),
  listen: ListenConfigSchema.prefault({}),
  /** Multiaddrs of peers to dial at start-up. */
  bootstrap: z.array(z.string()).default([]),
  /** Discover peers on the LAN with mDNS. */
  mdns: z.boolean().default(true),
  nat: NatConfigSchema.prefault({}),
  relay: RelayConfigSchema.prefault({}),
  /** The owner's provider policy (share of cores and memory, price, idle-only mode). */
  provider: ProviderPolicySchema.prefault({}),
  oracle: OracleConfigSchema.prefault({}),
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
