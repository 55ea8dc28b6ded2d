// bench:dispatch (a): per-task latency of one task in flight against its transport floor (bench/dispatch.ts).
import '../src/polyfill.js'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { type Address, getAddress } from 'viem'
import { inspectModel } from '../src/exec/model-info.js'
import { createOnnxSession, runSession } from '../src/exec/onnx-session.js'
import type { TensorMap } from '../src/exec/tensor.js'
import { decodeTensors, encodeTensors, sliceBatch } from '../src/exec/tensor-codec.js'
import { initDataDir } from '../src/identity/init.js'
import { logger } from '../src/log.js'
import { ProviderDirectory } from '../src/market/directory.js'
import { DEFAULT_MAX_PRICE, parsePrice } from '../src/market/price.js'
import { createHost } from '../src/net/host.js'
import { connectChain, fundIfLocal } from '../src/node/chain-setup.js'
import { RequesterPayments } from '../src/payments/requester-payments.js'
import { serveBlobs } from '../src/protocols/blob.js'
import { JobStore } from '../src/requester/job-store.js'
import { acquireProviders } from '../src/requester/market-client.js'
import { OfferInbox } from '../src/requester/offer-inbox.js'
import { ProviderSession } from '../src/requester/provider-session.js'
import { blobStore, sha256Hex } from '../src/store/blob-store.js'
import { openDb } from '../src/store/db.js'
import type { TestNetwork } from '../test/helpers/network.js'
import { startProfiles, stopProfiles } from './dispatch-common.js'
import { echoBaseline } from './echo-baseline.js'

/** Local per-task run time: the same one-sample tasks through one in-process session. */
export async function localPerTask(model: Uint8Array, inputs: TensorMap, n: number) {
  const session = await createOnnxSession(model)
  const times: number[] = []
  for (let i = 0; i < 200; i++) await runSession(session, sliceBatch(inputs, i % n, (i % n) + 1)) // warm-up
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await runSession(session, sliceBatch(inputs, i, i + 1))
    times.push(performance.now() - t)
  }
  const wall = performance.now() - t0
  await session.release()
  return { times, wall }
}

/**
 * (a1) One task in flight at a time from an in-bench requester: the real market (demand, signed offers,
 * escrow on the network's chain, agreements) and the real task protocol to the provider processes. Each
 * accepted result's output hash is checked like the requester node does; vouchers (the providers stop
 * past 512 unpaid tasks) are signed between tasks, outside the timed round trips.
 */
export async function sequentialLatency(
  net: TestNetwork,
  model: Uint8Array,
  inputs: TensorMap,
  tasks: number,
) {
  const log = logger('bench')
  const { identity, layout } = await initDataDir(join(net.root, 'bench-requester'))
  const chain = await connectChain(
    layout,
    { rpcUrl: net.chain.rpcUrl, deploymentsFile: net.chain.deploymentsFile },
    identity.ethPrivateKey,
    log,
  )
  await fundIfLocal(chain.ledger, 10n ** 24n, log)
  const db = openDb(layout.db)
  const jobId = 'bench-a1-job'
  const cost = inspectModel(model).cost
  new JobStore(db).create({ id: jobId, spec: {} as never, status: 'running', createdAt: Date.now() }, [])
  const payments = new RequesterPayments(db, chain.ledger, log)
  const host = await createHost({ privateKey: identity.peerKey })
  await host.start()
  const blobs = blobStore(layout.blobs)
  const modelHash = await blobs.put(model)
  await serveBlobs(host, blobs, (_p, h) => h === modelHash)
  const inbox = new OfferInbox()
  await inbox.start(host, log)
  const directory = new ProviderDirectory()
  directory.start(host, log)
  for (const p of net.providers) await host.dial(multiaddr(p.multiaddrs[0]))
  await new Promise((r) => setTimeout(r, 2000)) // let gossip meshes form
  const deadline = Date.now() + 600_000
  const { agreements } = await acquireProviders(
    { host, identity, inbox, directory, log },
    {
      jobId,
      modelHash,
      modelBytes: model.length,
      costPerSample: cost,
      samples: tasks + 200,
      maxPricePerUnit: parsePrice(DEFAULT_MAX_PRICE),
      deadline,
      want: net.providers.length,
      exclude: new Set(),
      payment: payments.paymentTerms,
      settle: async (chosen) => {
        const price = chosen.reduce((m, o) => (BigInt(o.pricePerUnit) > m ? BigInt(o.pricePerUnit) : m), 0n)
        const escrow = await payments.ensureEscrow(jobId, price, BigInt((tasks + 200) * cost), deadline)
        return {
          escrow: payments.escrowRef(escrow),
          pricePerUnit: escrow.pricePerUnit,
          requesterEth: chain.ledger.address,
        }
      },
    },
  )
  if (agreements.length === 0) throw new Error('a1: no provider agreed')
  // each provider checks on-chain that it is a payee of the escrow before its first task
  const escrow = payments.escrowOf(jobId)
  if (!escrow) throw new Error('a1: no escrow opened')
  await chain.ledger.addPayees(
    escrow.escrowJob,
    agreements.map((a) => getAddress(a.providerEth)),
  )
  const waiting = new Map<string, (body: Uint8Array) => void>()
  const sessions = agreements.map(
    (a) =>
      new ProviderSession(
        host,
        a,
        {
          onResult: (s, msg, body) => {
            if (sha256Hex(body) !== msg.outputHash) throw new Error('bad output hash')
            payments.recordAccepted(jobId, s.agreement.providerEth as Address, { ...msg, units: cost })
            waiting.get(msg.taskId)?.(body)
          },
          onTaskError: (_s, msg) => {
            throw new Error(`a1 task error: ${msg.message}`)
          },
          onDead: (_s, reason) => {
            throw new Error(`a1 provider lost: ${reason}`)
          },
        },
        64 * 1024 * 1024,
      ),
  )
  await Promise.all(sessions.map((s) => s.open()))
  const floor = await echoBaseline(host)
  /** A frame like the a1 task's (same header fields, same body), for the a0 round trips. */
  const echoOf = (i: number) => {
    const body = encodeTensors(sliceBatch(inputs, i, i + 1))
    const header = { t: 'task', taskId: `${jobId}.${i}.1`, samples: 1, units: cost, deadline }
    return { header: { ...header, inputHash: sha256Hex(body) }, body }
  }
  const pay = async () => {
    for (const s of sessions) {
      const voucher = await payments.nextVoucher(jobId, s.agreement.providerEth as Address)
      if (voucher) s.sendVoucher(voucher)
    }
  }
  const run = async (i: number, n: number) => {
    const t = performance.now()
    const body = encodeTensors(sliceBatch(inputs, i, i + 1))
    const taskId = `${jobId}.${n}.1`
    const done = new Promise<Uint8Array>((ok) => waiting.set(taskId, ok))
    sessions[n % sessions.length].send({
      taskId,
      samples: 1,
      units: cost,
      inputHash: sha256Hex(body),
      deadline,
      body,
    })
    decodeTensors(await done)
    waiting.delete(taskId)
    return performance.now() - t
  }
  for (let i = 0; i < 200; i++) {
    // warm-up (sessions, JIT)
    await run(i % tasks, tasks + i)
    const e = echoOf(i % tasks)
    await floor.roundTrip('echo', e.header, e.body)
    await floor.roundTrip('echoWorker', e.header, e.body)
  }
  await pay()
  const rtt: number[] = []
  const echo: number[] = []
  const echoWorker: number[] = []
  const profile = process.env.PROF_JOB === 'a1'
  if (profile) await startProfiles()
  for (let i = 0; i < tasks; i++) {
    // interleaved, so that the floor and the tasks see the same load
    const e = echoOf(i)
    echo.push(await floor.roundTrip('echo', e.header, e.body))
    echoWorker.push(await floor.roundTrip('echoWorker', e.header, e.body))
    rtt.push(await run(i, i))
    if (i % 200 === 199) await pay()
  }
  if (profile) await stopProfiles()
  await Promise.all(sessions.map((s) => s.close().catch(() => {})))
  directory.stop()
  await host.stop()
  db.close()
  await chain.stop()
  await floor.stop()
  return { rtt, echo, echoWorker, providers: sessions.length }
}
