import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseUnits } from 'viem'
import { createMetrics } from '../api/metrics.js'
import { startApi } from '../api/server.js'
import { parseConfig, saveConfig } from '../config/load.js'
import type { NodeConfig } from '../config/schema.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import { FlService } from '../fl/network/service.js'
import { openFlStore } from '../fl/network/store.js'
import { initDataDir } from '../identity/init.js'
import { logger } from '../log.js'
import { ProviderDirectory } from '../market/directory.js'
import { connectionViews } from '../net/connections.js'
import { createHost, type Host } from '../net/host.js'
import { keepDialing } from '../net/keep-dialing.js'
import { rejoinKnownPeers } from '../net/rejoin.js'
import { ProviderPayments } from '../payments/provider-payments.js'
import { ProviderSettlement } from '../payments/provider-settlement.js'
import { RequesterPayments } from '../payments/requester-payments.js'
import { RequesterSettlement } from '../payments/requester-settlement.js'
import { serveBlobs } from '../protocols/blob.js'
import type { ProviderAgent } from '../provider/agent.js'
import { detectHardware } from '../provider/hardware.js'
import { startAttestationGossip } from '../requester/attestation-gossip.js'
import { OfferInbox } from '../requester/offer-inbox.js'
import { ReputationBook } from '../requester/reputation-book.js'
import { Requester } from '../requester/requester.js'
import { blobStore } from '../store/blob-store.js'
import { openDb } from '../store/db.js'
import { type ChainConnection, connectChain, fundIfLocal } from './chain-setup.js'
import { MAX_MODEL_BYTES, MAX_TASK_BYTES } from './limits.js'
import { boundPorts, withStablePorts } from './listen-ports.js'
import { networkStatus } from './network-status.js'
import { clearNodeInfo, type NodeInfo, writeNodeInfo } from './node-info.js'
import { providerStatus } from './provider-status.js'
import { tabConfigOf } from './tab-config.js'
import { Teardown } from './teardown.js'

/** How to start a node. */
export interface StartNodeOptions {
  dataDir?: string
  /** Take the provider role. */
  provide?: boolean
  /** Settings that override `config.json` for this run (CLI flags). */
  overrides?: Partial<NodeConfig>
  /** Provider policy fields that override `config.json` for this run. */
  providerOverrides?: Partial<NodeConfig['provider']>
  /** Provider: redeem vouchers once this many token base units are unredeemed (default 10,000). */
  redeemThreshold?: bigint
  /** Provider: wrap the task executor (tests: Byzantine providers that return wrong results). */
  wrapExecutor?: (executor: TaskExecutor) => TaskExecutor
  /** Hears each part of the node as it starts (`chain`, `libp2p host`, …; tests throw to inject failures). */
  onPartStarted?: (part: string) => void
}

/** A running node. */
export interface MutiraoNode {
  info: NodeInfo
  host: Host
  requester: Requester
  provider?: ProviderAgent
  chain: ChainConnection
  requesterPayments: RequesterPayments
  providerPayments?: ProviderPayments
  stop(): Promise<void>
}

/** Tokens (base units) a node gets from the faucet on a local development chain. */
const LOCAL_FUNDING = 10n ** 24n

/**
 * The composition root: opens the data dir, starts the libp2p host, the requester role, the provider
 * role when asked, and the local API; writes `node.json` for the CLI and SDK.
 */
export async function startNode(options: StartNodeOptions = {}): Promise<MutiraoNode> {
  const teardown = new Teardown(options.onPartStarted)
  try {
    return await assemble(options, teardown)
  } catch (err) {
    // roll back what started (chain, database, host, …), so a failed start leaks nothing
    await teardown
      .run()
      .catch((e) => logger('node').warn({ err: (e as Error).message }, 'rollback after a failed start'))
    throw err
  }
}

async function assemble(options: StartNodeOptions, teardown: Teardown): Promise<MutiraoNode> {
  const log = logger('node')
  const { layout, identity, config: saved } = await initDataDir(options.dataDir)
  const config = parseConfig({
    ...saved,
    ...options.overrides,
    listen: { ...saved.listen, ...options.overrides?.listen },
    nat: { ...saved.nat, ...options.overrides?.nat },
    provider: {
      ...saved.provider,
      ...options.providerOverrides,
      idleOnly: { ...saved.provider.idleOnly, ...options.providerOverrides?.idleOnly },
    },
  })
  const db = openDb(layout.db)
  teardown.add('database', () => db.close())
  const chain = await connectChain(layout, config.chain, identity.ethPrivateKey, log)
  teardown.add('chain', () => chain.stop())
  await fundIfLocal(chain.ledger, LOCAL_FUNDING, log)
  const requesterPayments = new RequesterPayments(db, chain.ledger, logger('payments'))
  const requesterSettlement = new RequesterSettlement(db, requesterPayments, logger('payments'))
  const blobs = blobStore(layout.blobs)
  let provider: ProviderAgent | undefined
  const metrics = createMetrics({
    peers: () => host.getPeers().length,
    providerTasks: () => provider?.stats,
  })
  const host = await createHost({
    privateKey: identity.peerKey,
    network: config.network,
    listen: config.listen.addresses,
    host: config.listen.host,
    tcpPort: config.listen.tcpPort,
    wsPort: config.listen.wsPort,
    announce: config.listen.announce,
    mdns: config.mdns,
    nat: config.nat,
    ...(config.relay.enabled
      ? {
          relay: {
            limits: {
              maxReservations: config.relay.maxReservations,
              durationMs: config.relay.durationSeconds * 1000,
              dataBytes: config.relay.dataMiB * 1024 * 1024,
            },
          },
        }
      : {}),
  })
  teardown.add('libp2p host', () => host.stop())
  await host.start()
  const stable = withStablePorts(
    saved,
    Object.keys(options.overrides?.listen ?? {}).some((k) => k !== 'apiPort'),
    boundPorts(host.getMultiaddrs().map(String)),
  )
  if (stable) await saveConfig(layout.config, stable)
  teardown.add('bootstrap dialing', keepDialing(host, config.bootstrap, log))
  teardown.add('known peers', await rejoinKnownPeers(host, layout.peers, config.bootstrap, log))

  const inbox = new OfferInbox()
  await inbox.start(host, log)
  const directory = new ProviderDirectory()
  directory.start(host, log)
  teardown.add('provider directory', () => directory.stop())
  // Every node carries demands on gossip, providing or not: a requester and a provider at two homes
  // meet only through the nodes between them (relays are ordinary nodes).
  host.services.pubsub.subscribe(host.services.wire.topics.demand)
  const reputation = new ReputationBook(db)
  const attestations = startAttestationGossip({
    host,
    peerKey: identity.peerKey,
    peerId: identity.peerId,
    book: reputation,
    stakeOfPeer: async (peer) => {
      const addr = await chain.ledger.providerOf(peer)
      return addr ? chain.ledger.stakeOf(addr) : 0n
    },
    log: logger('reputation'),
  })
  teardown.add('attestation gossip', () => attestations.stop())
  const reputationOf = (p: string) => attestations.pool.reputation(p, reputation.get(p))
  const requester = new Requester({
    host,
    db,
    blobs,
    log: logger('requester'),
    maxResultBytes: MAX_TASK_BYTES,
    payments: requesterPayments,
    settlement: requesterSettlement,
    market: { host, identity, inbox, directory, reputation: (p) => reputationOf(p).effective },
    onAccepted: ({ agreement }) => {
      metrics.shardsAccepted.inc()
      reputation.record(agreement.provider, 'valid')
      attestations.changed()
    },
    onFault: ({ provider, kind }) => {
      metrics.providerFaults.inc({ kind })
      reputation.record(provider, kind === 'gone' ? 'timeout' : 'invalid')
      attestations.changed()
    },
  })
  teardown.add('requester', () => requester.stop())
  const flStore = openFlStore(join(layout.root, 'fl.db'))
  const fl = new FlService({ host, key: identity.peerKey, store: flStore, ledger: chain.ledger, log })
  teardown.add('federated learning', () => fl.stop())

  const providerPayments = options.provide
    ? new ProviderPayments(db, chain.ledger, logger('payments'), {
        redeemThreshold: options.redeemThreshold ?? DEFAULT_REDEEM_THRESHOLD,
      })
    : undefined
  const providerSettlement =
    providerPayments && new ProviderSettlement(db, providerPayments, logger('payments'))
  const hardware = await detectHardware()
  const role = options.provide
    ? await (await import('./start-provider-role.js')).startProviderRole({
        config,
        hardware,
        host,
        identity,
        blobs,
        chain,
        payments: providerPayments,
        settlement: providerSettlement,
        configFile: layout.config,
        teardown,
        log,
        wrapExecutor: options.wrapExecutor,
      })
    : undefined
  provider = role?.provider
  const { executors, execution, live, oracle } = role ?? {}
  await serveBlobs(
    host,
    blobs,
    (_peer, hash) => requester.servesModel(hash) || (provider?.book.hasModel(hash) ?? false),
  )

  const token = randomBytes(24).toString('base64url')
  await writeFile(layout.apiToken, `${token}\n`, { mode: 0o600 })
  const status = () => ({
    network: host.services.wire.network,
    otherNetworks: host.services.neighbours.others(),
    peerId: identity.peerId,
    ethAddress: identity.ethAddress,
    multiaddrs: host.getMultiaddrs().map(String),
    peers: host.getPeers().length,
    connections: connectionViews(host.getConnections()),
    holePunch: host.services.holePunch?.stats() ?? null,
    portMapping: host.services.portMapping?.stats() ?? null,
    hardware,
    executionProviders: execution?.providers,
    provider: provider
      ? providerStatus({
          agent: provider,
          config: config.provider,
          policy: live!,
          execution,
          executors,
          directory,
          self: identity.peerId,
          peers: host.getPeers().length,
          seenByOthers: attestations.pool.seenByOthers(),
          elsewhere: host.services.neighbours.explain(),
        })
      : null,
    oracle: oracle
      ? { address: chain.ledger.oracle?.address, requests: oracle.records().slice(0, 50) }
      : null,
    ...networkStatus({
      directory,
      recorded: [
        ...reputation.list(200).map((r) => r.provider),
        ...attestations.pool.providers().slice(0, 200),
      ],
      reputationOf,
    }),
  })
  const api = await startApi(
    {
      requester,
      blobs,
      token,
      metrics,
      status,
      maxBlobBytes: MAX_MODEL_BYTES,
      policy: () => live,
      demands: () => provider?.demands,
      fl,
      tab: () => tabConfigOf(host, chain, identity.peerId),
      ledger: {
        ledger: chain.ledger,
        requester,
        requesterPayments,
        providerPayments,
        peerId: identity.peerId,
        chain: {
          chainId: chain.ledger.chainId,
          rpcUrl: chain.rpcUrl,
          embedded: Boolean(chain.embedded),
          deploymentsFile: chain.deploymentsFile,
        },
      },
    },
    config.listen.apiPort,
  )
  teardown.add('api', () => api.close())
  const info: NodeInfo = {
    pid: process.pid,
    peerId: identity.peerId,
    ethAddress: identity.ethAddress,
    apiUrl: api.url,
    multiaddrs: host.getMultiaddrs().map(String),
    provider: Boolean(provider),
    startedAt: Date.now(),
    chain: {
      rpcUrl: chain.rpcUrl,
      chainId: chain.ledger.chainId,
      deploymentsFile: chain.deploymentsFile,
      embedded: Boolean(chain.embedded),
      ...(chain.ledger.deployments.disputeResolver && {
        disputeResolver: chain.ledger.deployments.disputeResolver,
      }),
      ...(chain.ledger.deployments.oracle && { oracle: chain.ledger.deployments.oracle }),
    },
  }
  await writeNodeInfo(layout, info)
  teardown.add('node.json', () => clearNodeInfo(layout))
  const resumed = requester.resumeAll()
  if (resumed.length) log.info({ jobs: resumed }, 'resumed unfinished jobs')

  return {
    info,
    host,
    requester,
    provider,
    chain,
    requesterPayments,
    providerPayments,
    /** Stops every part, last started first; reports every part that failed to stop. */
    stop: () => teardown.run(),
  }
}

/** A provider redeems vouchers mid-job once this much is unredeemed (0.1 MUT); always when a stream ends. */
const DEFAULT_REDEEM_THRESHOLD = parseUnits('0.1', 18)
