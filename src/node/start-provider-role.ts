import type { NodeConfig } from '../config/schema.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import type { Identity } from '../identity/keys.js'
import { type Logger, logger } from '../log.js'
import type { Host } from '../net/host.js'
import type { OracleService } from '../oracle/oracle-service.js'
import { startOracle } from '../oracle/start-oracle.js'
import type { ProviderPayments } from '../payments/provider-payments.js'
import type { ProviderSettlement } from '../payments/provider-settlement.js'
import { type ProviderAgent, startProviderAgent } from '../provider/agent.js'
import { evidenceSigner } from '../provider/evidence-signer.js'
import { chooseExecutionProvider, type Execution } from '../provider/execution-choice.js'
import { createProviderExecutors, type ProviderExecutors } from '../provider/executors.js'
import type { Hardware } from '../provider/hardware.js'
import type { LivePolicy } from '../provider/live-policy.js'
import { resolvePolicy } from '../provider/policy.js'
import type { BlobStore } from '../store/blob-store.js'
import type { ChainConnection } from './chain-setup.js'
import { MAX_MODEL_BYTES, MAX_TASK_BYTES } from './limits.js'
import { startLivePolicy } from './live-provider-policy.js'
import type { Teardown } from './teardown.js'

/** What the provider role needs from the node that takes it. */
export interface ProviderRoleDeps {
  config: NodeConfig
  hardware: Hardware
  host: Host
  identity: Identity
  blobs: BlobStore
  chain: ChainConnection
  payments?: ProviderPayments
  settlement?: ProviderSettlement
  /** The node's config file (the live policy saves changes there). */
  configFile: string
  teardown: Teardown
  log: Logger
  /** Wrap the task executor (tests: Byzantine providers). */
  wrapExecutor?: (executor: TaskExecutor) => TaskExecutor
}

/** The running provider role. */
export interface ProviderRole {
  provider: ProviderAgent
  executors: ProviderExecutors
  execution: Execution
  live: LivePolicy
  oracle?: OracleService
}

/**
 * Start the provider role: choose the execution provider, start the executors (onnxruntime, the wasm
 * sandbox), the oracle when enabled, the live policy and the market agent; each registers its own stop.
 * `start-node` imports this module only with `--provide`, so a requester-only node never loads onnxruntime's
 * native library at start (a requester loads it with its first canary).
 */
export async function startProviderRole(d: ProviderRoleDeps): Promise<ProviderRole> {
  const { config, hardware, teardown } = d
  const policy = resolvePolicy(config.provider, hardware)
  const execution = await chooseExecutionProvider(policy.executionProvider, logger('exec'), {
    cpu: `${hardware.cpus.model} × ${hardware.cpus.count}`,
    gpus: hardware.gpus.map((g) => g.name),
  })
  const executors = createProviderExecutors({
    kinds: policy.kinds,
    threads: policy.threads,
    memoryBytes: policy.memoryBytes,
    getBlob: (hash) => d.blobs.get(hash),
    executionProvider: execution.active,
  })
  teardown.add('executors', () => executors.stop())
  const executor = d.wrapExecutor ? d.wrapExecutor(executors.executor) : executors.executor
  const oracle = config.oracle.enabled
    ? await startOracle({
        config: config.oracle,
        ledger: d.chain.ledger,
        ethPrivateKey: d.identity.ethPrivateKey,
        executor,
        blobs: d.blobs,
      })
    : undefined
  if (oracle) teardown.add('oracle', () => oracle.stop())
  const terms = {
    threads: policy.maxConcurrentTasks,
    pricePerUnit: policy.pricePerUnit,
    maxModelBytes: MAX_MODEL_BYTES,
    maxTaskBytes: MAX_TASK_BYTES,
    kinds: policy.kinds,
    executionProvider: execution.active,
    taskMemoryBytes: executors.wasmCaps?.memoryBytes,
  }
  const live = startLivePolicy({ policy, terms, hardware, configFile: d.configFile, log: d.log, teardown })
  const provider = await startProviderAgent({
    host: d.host,
    identity: d.identity,
    terms,
    gate: live.gate,
    executor,
    blobs: d.blobs,
    hardware: {
      cpus: hardware.cpus.count,
      memoryBytes: hardware.memoryBytes,
      gpus: hardware.gpus.map((g) => g.name),
      executionProvider: execution.active,
    },
    log: logger('provider'),
    streams: policy.streams,
    payments: d.payments,
    settlement: d.settlement,
    evidence: evidenceSigner(d.identity.ethPrivateKey, {
      chainId: d.chain.ledger.chainId,
      resolver: d.chain.ledger.deployments.disputeResolver,
    }),
  })
  teardown.add('provider', () => provider.stop())
  return { provider, executors, execution, live, oracle }
}
