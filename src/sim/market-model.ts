import type { Offer } from '../protocols/market-messages.js'
import type { VerificationPlan, VerificationPolicy } from '../verify/policy/types.js'
import { createRng, type Rng } from '../verify/random.js'
import { logNormal, quantile } from './events.js'

/** The simulated network: how many of whom, and how they behave. */
export interface MarketSimOptions {
  providers: number
  requesters: number
  /** Jobs each requester submits, one after another. */
  jobsPerRequester: number
  shardsPerJob: number
  /** Providers each job asks for (default 4). */
  want?: number
  seed: number
  /** Share of providers that return a wrong answer on `cheatRate` of their tasks (default 0.05, 0.3). */
  cheaters?: number
  cheatRate?: number
  /** Share of providers offline at any moment; each goes on and off with a mean online spell of 20 min (default 0.05). */
  churn?: number
  /** Median one-way latency, log-normal σ 0.7 (default 40 ms). */
  latencyMs?: number
  /** Median compute time of one shard, log-normal σ 0.5 over providers (default 250 ms). */
  shardMs?: number
  /** Simulated time after which the run stops, counting the jobs not done (default one hour). */
  maxSimSeconds?: number
}

/** What a simulation measured. Times are simulated; CPU times are this process's, in the real code. */
export interface MarketSimResult {
  providers: number
  requesters: number
  jobs: number
  /** Jobs not done when the simulated time ran out. */
  unfinishedJobs: number
  /** From a job's first demand to its last accepted shard, simulated seconds. */
  jobSeconds: { median: number; p95: number }
  demands: number
  /** Offers the requester read (its window closes at twice the providers it wants). */
  offersPerDemand: number
  /** Offers the providers sent: those in the demand's offer sample, online, not excluded. */
  offersSentPerDemand: number
  /** Requester CPU in the real code per offer: its signature check, and its share of ranking. */
  requesterCpuMsPerOffer: number
  /**
   * Requester CPU in the real code per accepted task: each answer's output hash,
   * the verification plan, quorum and verdicts (vouchers and receipts are not simulated).
   */
  requesterCpuMsPerTask: number
  tasks: number
  /** Executions of tasks and their replicas (canaries not counted), per accepted task. */
  executionsPerTask: number
  /** Tasks whose accepted output was a cheater's wrong one. */
  wrongAccepted: number
  /** Tasks with no quorum after the most replicas the plan allows. */
  failedTasks: number
  /** Cheating providers the requesters excluded (counted once per requester). */
  cheatersExcluded: number
  /** Sessions lost to a provider going offline (missed heartbeats), and tasks sent again for them. */
  sessionsLost: number
  tasksResent: number
  events: number
  wallMs: number
}

export interface Prov {
  id: string
  /** Which of the simulation's real Ed25519 keys signs for it. */
  signer: number
  ask: bigint
  /** Its access latency (one way, ms). */
  latency: number
  shardMs: number
  cheat: boolean
  online: boolean
  queue: Work[]
  /** The work on its CPU now; a result computed for anything else was lost when it went offline. */
  running?: Work
  /** Jobs it has a session with. */
  jobs: Set<Job>
}

export interface Task {
  id: string
  job: Job
  plan?: VerificationPlan
  primary?: Prov
  results: { provider: string; output: string }[]
  used: Set<string>
  open: number
  done: boolean
}

export interface Work {
  task: Task
  prov: Prov
  canary: boolean
  answered: boolean
}

export interface Req {
  id: string
  /** Its access latency (one way, ms). */
  latency: number
  policy: VerificationPolicy
  /** Verdicts per provider, the requester's reputation book. */
  book: Map<string, { valid: number; invalid: number }>
  jobsLeft: number
  excluded: Set<string>
}

export interface Job {
  id: string
  req: Req
  startedAt: number
  providers: Prov[]
  unassigned: Task[]
  replicaNeeds: Task[]
  outstanding: Set<Work>
  remaining: number
  demands: number
  /** A demand of this job is collecting offers. */
  asking: boolean
}

export type SimEvent =
  | { t: 'offer'; job: Job; demand: string; offer: Offer; prov: Prov; sentAt: number }
  | { t: 'close'; demand: string }
  | { t: 'deliver'; work: Work }
  | { t: 'computed'; work: Work }
  | { t: 'result'; work: Work; output: string; outputHash: string }
  | { t: 'dead'; job: Job; prov: Prov }
  | { t: 'flip'; prov: Prov }
  | { t: 'redemand'; job: Job }
  | { t: 'start'; req: Req }

/** `n` providers: log-normal asks, latencies and speeds; a share of cheaters; a share offline at the start. */
export function makeProviders(o: MarketSimOptions, rng: Rng, signers: number): Prov[] {
  return Array.from({ length: o.providers }, (_, i) => ({
    id: `p${i}`,
    signer: i % signers,
    ask: BigInt(Math.round(logNormal(rng, 1e12, 0.3))),
    latency: logNormal(rng, o.latencyMs ?? 40, 0.7),
    shardMs: logNormal(rng, o.shardMs ?? 250, 0.5),
    cheat: rng.next() < (o.cheaters ?? 0.05),
    online: rng.next() >= (o.churn ?? 0.05),
    queue: [],
    jobs: new Set(),
  }))
}

/** The counters of one simulation. */
export const newStats = () => ({
  sent: 0,
  offers: 0,
  demands: 0,
  tasks: 0,
  executions: 0,
  wrong: 0,
  failed: 0,
  excluded: 0,
  lost: 0,
  resent: 0,
})

/** The result of a simulation from its counters and timings. */
export function report(
  o: MarketSimOptions,
  stats: ReturnType<typeof newStats>,
  t: { jobTimes: number[]; offerCpu: number; taskCpu: number; events: number; wallMs: number },
): MarketSimResult {
  const per = (x: number, n: number) => x / Math.max(1, n)
  return {
    providers: o.providers,
    requesters: o.requesters,
    jobs: t.jobTimes.length,
    unfinishedJobs: o.requesters * o.jobsPerRequester - t.jobTimes.length,
    jobSeconds: { median: quantile(t.jobTimes, 0.5) / 1000, p95: quantile(t.jobTimes, 0.95) / 1000 },
    demands: stats.demands,
    offersPerDemand: per(stats.offers, stats.demands),
    offersSentPerDemand: per(stats.sent, stats.demands),
    requesterCpuMsPerOffer: per(t.offerCpu, stats.offers),
    requesterCpuMsPerTask: per(t.taskCpu, stats.tasks),
    tasks: stats.tasks,
    executionsPerTask: per(stats.executions, stats.tasks),
    wrongAccepted: stats.wrong,
    failedTasks: stats.failed,
    cheatersExcluded: stats.excluded,
    sessionsLost: stats.lost,
    tasksResent: stats.resent,
    events: t.events,
    wallMs: t.wallMs,
  }
}

/**
 * One-way latency between a provider and a requester: the mean of their access latencies times a route
 * factor of the pair (log-normal, σ 0.5, the same every time for the same pair) — so requesters in different
 * places rank the same providers differently, as their pings would.
 */
export function oneWay(p: { id: string; latency: number }, r: { id: string; latency: number }): number {
  let h = 2166136261
  for (const ch of `${p.id}|${r.id}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619)
  return ((p.latency + r.latency) / 2) * logNormal(createRng(h >>> 0), 1, 0.5)
}
