import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createOnnxExecutor, type OnnxExecutor } from '../../src/exec/onnx-executor.js'
import type { TaskExecutor } from '../../src/exec/task-executor.js'
import { dataDirLayout } from '../../src/identity/data-dir.js'
import { createIdentity, type Identity } from '../../src/identity/keys.js'
import { logger } from '../../src/log.js'
import { ProviderDirectory } from '../../src/market/directory.js'
import { createHost, type Host } from '../../src/net/host.js'
import { serveBlobs } from '../../src/protocols/blob.js'
import { type ProviderAgent, startProviderAgent } from '../../src/provider/agent.js'
import type { ProviderTerms, WorkGate } from '../../src/provider/types.js'
import { OfferInbox } from '../../src/requester/offer-inbox.js'
import { Requester, type RequesterComponents } from '../../src/requester/requester.js'
import { type BlobStore, blobStore } from '../../src/store/blob-store.js'
import { openDb } from '../../src/store/db.js'

/** One provider of an in-process market: how its tasks run and what it asks. */
export interface InProcessProviderOptions {
  /** Wraps the honest ONNX executor (a Byzantine one, a slow one, a failing one). */
  wrap?: (honest: TaskExecutor) => TaskExecutor
  terms?: Partial<ProviderTerms>
  /** Whether it takes work (default: always); closed = paused, as idle-only mode pauses a provider. */
  gate?: WorkGate
}

export interface InProcessProvider {
  host: Host
  identity: Identity
  agent: ProviderAgent
  peerId: string
}

export interface InProcessMarket {
  requester: Requester
  requesterHost: Host
  blobs: BlobStore
  providers: InProcessProvider[]
  /** Faults the requester reported (onFault), in order. */
  faults: { provider: string; kind: string; detail: string }[]
  stop(): Promise<void>
}

/**
 * A requester and providers in this process, each on its own libp2p host on 127.0.0.1, without a chain
 * (unpaid work): the real market, task protocol, executors and job logic, for unit tests of the requester and
 * provider roles. Hosts are dialed to the requester and wait for the demand topic's mesh.
 */
export async function startInProcessMarket(
  providers: InProcessProviderOptions[],
  requester: Partial<Pick<RequesterComponents, 'onAccepted'>> = {},
): Promise<InProcessMarket> {
  const root = await mkdtemp(join(tmpdir(), 'mutirao-market-'))
  const stops: (() => Promise<unknown> | unknown)[] = []
  const node = async (name: string) => {
    const layout = dataDirLayout(join(root, name))
    await mkdir(layout.root, { recursive: true })
    const identity = await createIdentity(layout)
    const host = await createHost({ privateKey: identity.peerKey, mdns: false })
    await host.start()
    stops.push(() => host.stop())
    host.services.pubsub.subscribe(host.services.wire.topics.demand)
    return { identity, host, blobs: blobStore(join(layout.root, 'blobs')) }
  }
  const log = logger('test')
  const r = await node('requester')
  const inbox = new OfferInbox()
  await inbox.start(r.host, log)
  const directory = new ProviderDirectory()
  directory.start(r.host, log)
  stops.push(() => directory.stop())
  const db = openDb(join(root, 'requester.db'))
  const faults: InProcessMarket['faults'] = []
  const req = new Requester({
    host: r.host,
    db,
    blobs: r.blobs,
    log,
    maxResultBytes: 16 << 20,
    market: { host: r.host, identity: r.identity, inbox, directory, reputation: () => 0.5 },
    onFault: (f) => faults.push(f),
    ...requester,
  })
  await serveBlobs(r.host, r.blobs, (_peer, hash) => req.servesModel(hash))
  const started: InProcessProvider[] = []
  for (const [i, o] of providers.entries()) {
    const p = await node(`provider-${i + 1}`)
    const honest: OnnxExecutor = createOnnxExecutor({ threads: 1, getModel: (h) => p.blobs.get(h) })
    stops.push(() => honest.stop())
    const agent = await startProviderAgent({
      host: p.host,
      identity: p.identity,
      terms: {
        threads: 1,
        pricePerUnit: 1n,
        maxModelBytes: 16 << 20,
        maxTaskBytes: 16 << 20,
        kinds: ['onnx-inference'],
        ...o.terms,
      },
      gate: o.gate ?? { accepting: () => true },
      executor: o.wrap ? o.wrap(honest) : honest,
      blobs: p.blobs,
      hardware: { cpus: 1, memoryBytes: 1 << 30, gpus: [] },
      log,
    })
    stops.push(() => agent.stop())
    await p.host.dial(r.host.getMultiaddrs()[0])
    started.push({ ...p, agent, peerId: p.identity.peerId })
  }
  // gossipsub forms its mesh on its heartbeat (1 s): wait until the requester sees every provider on the topic
  const deadline = Date.now() + 10_000
  while (
    r.host.services.pubsub.getSubscribers(r.host.services.wire.topics.demand).length < started.length &&
    Date.now() < deadline
  )
    await new Promise((res) => setTimeout(res, 50))
  return {
    requester: req,
    requesterHost: r.host,
    blobs: r.blobs,
    providers: started,
    faults,
    async stop() {
      await req.stop()
      for (const s of stops.reverse()) await s()
      db.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}
