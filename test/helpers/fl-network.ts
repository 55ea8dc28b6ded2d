import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { Dataset } from '../../src/data/schema.js'
import {
  createFlCoordinator,
  type FlCoordinator,
  type FlCoordinatorOptions,
} from '../../src/fl/network/coordinator.js'
import { createFlHolder, type FlHolderOptions, type FlHolderResult } from '../../src/fl/network/holder.js'
import type { FlJobSpecInput } from '../../src/fl/network/protocol.js'
import { type FlStore, openFlStore } from '../../src/fl/network/store.js'
import { createHost, type Host } from '../../src/net/host.js'

/** A coordinator and N holders, each its own libp2p host on 127.0.0.1, in this process (tests, demos). */
export interface FlTestNetwork {
  coordinator: FlCoordinator
  coordinatorHost: Host
  coordinatorKey: PrivateKey
  store: FlStore
  dbFile: string
  holderHosts: Host[]
  /** One promise per holder's `run()` (settled when the job is done or the holder fails). */
  holderRuns: Promise<FlHolderResult>[]
  /** Starts a new coordinator (same key, port and store) after the old one was stopped. */
  restartCoordinator(): Promise<FlCoordinator>
  stop(): Promise<void>
}

/** Options of {@link startFlTestNetwork}. */
export interface FlTestNetworkOptions {
  spec: FlJobSpecInput
  holders: Dataset[]
  /** Fixed keys (so runs are comparable): one per holder. */
  holderKeys?: PrivateKey[]
  coordinator?: Partial<Omit<FlCoordinatorOptions, 'host' | 'key' | 'store' | 'spec'>>
  holder?: (index: number, host: () => Host) => Partial<FlHolderOptions>
}

/** Starts the coordinator, then every holder dialling it; the caller runs `coordinator.run()`. */
export async function startFlTestNetwork(options: FlTestNetworkOptions): Promise<FlTestNetwork> {
  const dbFile = join(await mkdtemp(join(tmpdir(), 'mutirao-fl-')), 'fl.db')
  const coordinatorKey = await generateKeyPair('Ed25519')
  let coordinatorHost = await createHost({ privateKey: coordinatorKey })
  await coordinatorHost.start()
  const port = Number(/\/tcp\/(\d+)\//.exec(coordinatorHost.getMultiaddrs()[0].toString())![1])
  let store = openFlStore(dbFile)
  const make = () =>
    createFlCoordinator({
      host: coordinatorHost,
      key: coordinatorKey,
      store,
      spec: options.spec,
      ...options.coordinator,
    })
  let coordinator = make()
  await coordinator.start()
  const addr = coordinatorHost.getMultiaddrs()[0].toString()
  const holderHosts: Host[] = []
  const holderRuns: Promise<FlHolderResult>[] = []
  for (const [i, data] of options.holders.entries()) {
    const key = options.holderKeys?.[i] ?? (await generateKeyPair('Ed25519'))
    const host = await createHost({ privateKey: key })
    await host.start()
    holderHosts.push(host)
    const holder = createFlHolder({
      host,
      key,
      coordinator: addr,
      jobId: options.spec.id,
      data: () => data,
      reconnectMs: 30_000,
      ...options.holder?.(i, () => host),
    })
    holderRuns.push(holder.run())
    holderRuns[i].catch(() => {})
  }
  const net: FlTestNetwork = {
    coordinator,
    coordinatorHost,
    coordinatorKey,
    store,
    dbFile,
    holderHosts,
    holderRuns,
    async restartCoordinator() {
      await coordinator.stop()
      await coordinatorHost.stop()
      store.close()
      coordinatorHost = await createHost({ privateKey: coordinatorKey, tcpPort: port })
      await coordinatorHost.start()
      store = openFlStore(dbFile)
      coordinator = make()
      await coordinator.start()
      Object.assign(net, { coordinator, coordinatorHost, store })
      return coordinator
    },
    async stop() {
      await coordinator.stop()
      await Promise.all(
        [coordinatorHost, ...holderHosts].map((h) => Promise.resolve(h.stop()).catch(() => {})),
      )
      store.close()
    },
  }
  return net
}
