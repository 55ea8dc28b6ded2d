import type { NodeConfig } from '../config/schema.js'
import type { ProviderDirectory } from '../market/directory.js'
import type { ProviderAgent } from '../provider/agent.js'
import type { Execution } from '../provider/execution-choice.js'
import type { ProviderExecutors } from '../provider/executors.js'
import { explainProvider } from '../provider/explain.js'
import type { LivePolicy } from '../provider/live-policy.js'
import type { SeenByOthers } from '../requester/attestation-pool.js'

/** What the provider part of `status` reads. */
export interface ProviderStatusSources {
  agent: ProviderAgent
  config: NodeConfig['provider']
  /** The policy in force (the owner may change it while the node runs). */
  policy: LivePolicy
  execution?: Execution
  executors?: ProviderExecutors
  directory: ProviderDirectory
  self: string
  peers: number
  /** How staked requesters rate this machine (their attestations about it). */
  seenByOthers: SeenByOthers
  /** Connected peers that speak another network, in a sentence (`Neighbours.explain`). */
  elsewhere?: string
}

/**
 * The provider part of `GET /v1/node`: taking work or paused, tasks and sessions, where models run (with every
 * CPU fallback), what it computes for whom (`work`), the ask, how staked requesters rate it (`seenByOthers`), and `explain` — why this machine is or is not getting work.
 */
export function providerStatus(s: ProviderStatusSources) {
  const accepting = s.policy.gate.accepting()
  const policy = s.policy.view()
  return {
    accepting,
    foreignLoad: s.policy.idle?.foreignLoad,
    policy,
    tasks: s.agent.stats,
    work: s.agent.work.list(),
    streams: s.agent.streams,
    execution: s.execution && {
      ...s.execution,
      fallbacks: s.executors?.placements().filter((p) => p.fallback) ?? [],
    },
    pricePerUnit: policy.pricePerUnit,
    seenByOthers: s.seenByOthers,
    explain: explainProvider({
      now: Date.now(),
      accepting,
      pausedByOwner: policy.paused,
      ask: BigInt(policy.pricePerUnit),
      kinds: s.config.kinds,
      executionProvider: s.execution?.active ?? 'cpu',
      peers: s.peers,
      tasks: s.agent.stats,
      demands: s.agent.demands.since(Date.now() - 3_600_000),
      otherAsks: s.directory
        .list()
        .filter((p) => p.provider !== s.self)
        .map((p) => BigInt(p.pricePerUnit)),
      seenByOthers: s.seenByOthers,
      elsewhere: s.elsewhere,
    }),
  }
}
