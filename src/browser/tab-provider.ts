import type { Hex } from 'viem'
import type { Placement } from '../exec/onnx-worker-protocol.js'
import { sandboxTaskExecutor, wasmCapsFor } from '../exec/wasm/sandbox-task.js'
import type { Identity } from '../identity/keys.js'
import type { Deployments } from '../ledger/deployments-schema.js'
import { createLedger, type Ledger } from '../ledger/ledger.js'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import { keepDialing } from '../net/keep-dialing.js'
import { ProviderPayments } from '../payments/provider-payments.js'
import { ProviderSettlement } from '../payments/provider-settlement.js'
import type { JobKind } from '../protocols/market-messages.js'
import { type ProviderAgent, startProviderAgent } from '../provider/agent.js'
import { evidenceSigner } from '../provider/evidence-signer.js'
import { dispatchByKind } from '../provider/kind-executor.js'
import type { WorkGate } from '../provider/types.js'
import { openDb } from '../store/db.js'
import { memoryBlobs } from './memory-blobs.js'
import { createTabHost, dialAny, type TabHost } from './tab-host.js'
import { createTabWasmExecutor } from './wasm-executor.js'
import { createWebOnnxExecutor, type WebBackend } from './web-executor.js'

/** The chain a tab is paid on (the node that served the page tells it, or the visitor types it). */
export interface TabChain {
  rpcUrl: string
  chainId: number
  deployments: Deployments
}

/** What the visitor chose, and where the network is. */
export interface TabProviderConfig {
  /** WebSocket multiaddrs (with `/p2p/<id>`) of nodes to join through. */
  bootstrap: string[]
  /** The network the tab speaks (its protocol ids and topics). */
  network: string
  /** Absent: the tab works unpaid (and only for requesters that do not pay). */
  chain?: TabChain
  /** Where ONNX models run. */
  backend: WebBackend
  /** Tasks run at once (the visitor's share of this machine's cores). */
  threads: number
  /** Asking price per unit of work, in token base units. */
  pricePerUnit: bigint
  /** Memory granted to all tasks together (wasm runs get `memoryBytes / threads`). */
  memoryBytes: number
  /** URL of the built WASI worker (wasm-worker.js beside the page). */
  wasmWorkerUrl: string
}

/** A running tab provider. */
export interface TabProvider {
  identity: Identity
  host: TabHost
  agent: ProviderAgent
  ledger?: Ledger
  payments?: ProviderPayments
  /** Where each model ran (a `fallback` says why not on the GPU). */
  placements(): ({ model: string } & Placement)[]
  /**
   * What the tab earned, in token base units: its on-chain balance, and what its vouchers cover that the
   * chain has not paid yet (paid when the requester closes the job, or redeems for the tab).
   */
  earnings(): Promise<{ balance: bigint; pending: bigint } | undefined>
  stop(): Promise<void>
}

/** The job kinds a tab runs. */
export const TAB_KINDS: readonly JobKind[] = ['onnx-inference', 'wasm']

/** Largest model and task input a tab takes (a tab's memory is the visitor's). */
const MAX_MODEL_BYTES = 128 * 1024 * 1024
const MAX_TASK_BYTES = 32 * 1024 * 1024
/**
 * Silence a tab asks its requesters to allow (nodes get 4 s): its heartbeats run on the page's main thread,
 * which the browser throttles in a hidden tab and which a long task, a garbage collection or a busy GPU
 * process can hold for seconds. A tab really gone is then noticed this much later.
 */
const TAB_SILENCE_MS = 15_000

/**
 * Start a provider in a browser tab: join the network through `bootstrap`, answer demands with offers,
 * run ONNX tasks on onnxruntime-web, and — on a chain — keep receipts and vouchers and sign releases, so the
 * requester's settlement pays the tab's Ethereum address on-chain (a tab has no gas of its own).
 */
export async function startTabProvider(
  config: TabProviderConfig,
  deps: { identity: Identity; gate: WorkGate; log: (component: string) => Logger },
): Promise<TabProvider> {
  const { identity } = deps
  const host = await createTabHost(identity.peerKey, config.network)
  await dialAny(host, config.bootstrap)
  // the tab cannot be dialed: when its node connection drops, only the tab can restore it
  const stopDialing = keepDialing(host, config.bootstrap, deps.log('net'))
  const blobs = memoryBlobs()
  const onnx = createWebOnnxExecutor({ backend: config.backend, getModel: (h) => blobs.get(h) })
  const sandbox = createTabWasmExecutor({ threads: config.threads, workerUrl: config.wasmWorkerUrl })
  const wasmCaps = wasmCapsFor(config.memoryBytes, config.threads)
  const executor = dispatchByKind({
    'onnx-inference': onnx,
    wasm: sandboxTaskExecutor(sandbox, (h) => blobs.get(h), wasmCaps),
  })
  const ledger = config.chain
    ? await createLedger({
        rpcUrl: config.chain.rpcUrl,
        privateKey: identity.ethPrivateKey as Hex,
        deployments: config.chain.deployments,
      })
    : undefined
  const db = openDb(':memory:')
  const payments =
    ledger &&
    new ProviderPayments(db, ledger, deps.log('payments'), { redeemThreshold: 0n, selfRedeem: false })
  const settlement = payments && new ProviderSettlement(db, payments, deps.log('payments'))
  const agent = await startProviderAgent({
    host: host as unknown as Host,
    identity,
    terms: {
      threads: config.threads,
      pricePerUnit: config.pricePerUnit,
      maxModelBytes: MAX_MODEL_BYTES,
      maxTaskBytes: MAX_TASK_BYTES,
      kinds: TAB_KINDS,
      executionProvider: config.backend,
      taskMemoryBytes: wasmCaps.memoryBytes,
      silenceMs: TAB_SILENCE_MS,
    },
    gate: deps.gate,
    executor,
    blobs,
    hardware: {
      cpus: navigator.hardwareConcurrency ?? 1,
      memoryBytes: ((navigator as { deviceMemory?: number }).deviceMemory ?? 1) * 1024 ** 3,
      gpus: [],
      executionProvider: config.backend,
    },
    log: deps.log('provider'),
    payments,
    settlement,
    evidence: ledger
      ? evidenceSigner(identity.ethPrivateKey, {
          chainId: ledger.chainId,
          resolver: ledger.deployments.disputeResolver,
        })
      : undefined,
  })
  /** Escrow jobs whose vouchers the chain has paid in full (not asked again). */
  const paidUp = new Set<string>()
  return {
    identity,
    host,
    agent,
    ledger,
    payments,
    placements: () => onnx.placements(),
    async earnings() {
      if (!ledger || !payments) return undefined
      const balance = await ledger.balanceOf(identity.ethAddress)
      let pending = 0n
      for (const held of payments.held()) {
        if (paidUp.has(held.escrowJob)) continue
        const earned = BigInt(held.voucher.cumulativeAmount)
        const { amount } = await ledger.redeemed(BigInt(held.escrowJob), identity.ethAddress)
        if (amount >= earned) paidUp.add(held.escrowJob)
        else pending += earned - amount
      }
      return { balance, pending }
    },
    async stop() {
      stopDialing()
      await agent.stop()
      await host.stop()
      await onnx.close()
      await sandbox.stop()
      db.close()
    },
  }
}
