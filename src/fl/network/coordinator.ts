import type { PrivateKey } from '@libp2p/interface'
import { type ColumnStats, mergeColumnStats } from '../../data/column-stats.js'
import { preprocessingFromStats } from '../../data/preprocess.js'
import type { Dataset } from '../../data/schema.js'
import { logger } from '../../log.js'
import type { Host } from '../../net/host.js'
import { canonicalJson } from '../../net/signing.js'
import { initTraining } from '../../train/backend.js'
import { evaluate } from '../../train/classifier.js'
import { createModel } from '../../train/create-model.js'
import { getFlatWeights, setFlatWeights } from '../../train/weights.js'
import { allocateShares } from '../contribution/shares.js'
import type { LineageAnchor } from '../lineage/anchor.js'
import { appendRound, createGenesis, startLineage } from '../lineage/record.js'
import { sha256Hex, weightsHash } from './codec.js'
import { FlJobFailedError, FlRoundFailedError } from './errors.js'
import { acceptHolders, type HolderRegistry } from './holder-registry.js'
import { type FlOwnerLedger, openDataEscrow, signDataVouchers } from './payments.js'
import { preprocessingToWire } from './preprocessing-wire.js'
import { FlJobSpec, type FlJobSpecInput } from './protocol.js'
import { runPlainRound } from './round-plain.js'
import { runSecAggRound } from './round-secagg.js'
import type { FlJobState, FlStore } from './store.js'
import { roundShares } from './valuation.js'

const log = logger('fl:coordinator')

/** Progress of a federated job, for CLIs and dashboards. */
export type FlEvent =
  | { type: 'holder-joined' | 'holder-left'; peer: string }
  | { type: 'preprocessing'; holders: number; rows: number }
  | {
      type: 'round'
      round: number
      participants: string[]
      meanLoss: number
      testAccuracy?: number
      aggregateHash: string
      shares: Record<string, number>
    }
  | { type: 'round-failed'; round: number; attempt: number; reason: string }
  | { type: 'escrow-opened'; escrowJobId: string; budget: string }
  | { type: 'done'; modelHash: string; root: string; payouts?: Record<string, string> }

/** Options of {@link createFlCoordinator}. */
export interface FlCoordinatorOptions {
  host: Host
  key: PrivateKey
  store: FlStore
  /** The job; ignored when the store already holds a job with this id (it resumes). */
  spec: FlJobSpecInput
  /** Owner's validation rows: GTG-Shapley contribution values per plain round. */
  validation?: Dataset
  /** Owner's held-out rows: accuracy after every round. */
  test?: Dataset
  anchor?: LineageAnchor
  /**
   * Pay the spec's `dataBudget` through the ledger: it is locked in a JobEscrow job (price 1) before the
   * first round, and each holder that joined with a payee address gets a signed voucher for its payout
   * in the `done` message (holders redeem it themselves).
   */
  payments?: FlOwnerLedger
  /** Seconds from the escrow's opening to its deadline (default 7 days; vouchers stay redeemable a window longer). */
  escrowDurationS?: number
  /** How long to wait for `minParticipants` holders before a round (default 10 min). */
  joinTimeoutMs?: number
  onEvent?: (event: FlEvent) => void
}

/** The model owner's side of an `fl-train` job. */
export interface FlCoordinator {
  readonly jobId: string
  /** Serves `/mutirao/fl/1` on the host (holders can join from now on). */
  start(): Promise<void>
  /** Runs (or resumes) the rounds until the job is done; resolves with the final state. */
  run(signal?: AbortSignal): Promise<FlJobState>
  state(): FlJobState
  holders(): string[]
  /** Stops serving and closes every holder's stream (the persisted state stays). */
  stop(): Promise<void>
}

/**
 * Creates the coordinator of a federated job: holders dial it on `/mutirao/fl/1`; it fits the shared
 * preprocessing from their column statistics, then runs the rounds (plain or under SecAgg), persisting the
 * global weights and the lineage after each so that it resumes after a restart.
 */
export function createFlCoordinator(options: FlCoordinatorOptions): FlCoordinator {
  const spec = FlJobSpec.parse(options.spec)
  let state: FlJobState = options.store.load(spec.id) ?? { spec, status: 'waiting', round: 0 }
  const emit = (e: FlEvent) => options.onEvent?.(e)
  let registry: HolderRegistry | undefined
  const save = () => options.store.save(state)

  async function collectStats(signal?: AbortSignal) {
    for (let attempt = 0; attempt < state.spec.maxRoundAttempts; attempt++) {
      const sessions = await registry!.waitFor(
        state.spec.minParticipants,
        options.joinTimeoutMs ?? 600_000,
        signal,
      )
      const deadline = Date.now() + state.spec.roundDeadlineMs
      for (const s of sessions) s.enterRound(0, attempt)
      await Promise.all(sessions.map((s) => s.send({ t: 'stats-request', job: spec.id, round: 0, attempt })))
      const got = (await Promise.all(sessions.map((s) => s.expect('stats', deadline)))).filter(
        (m) => m !== undefined,
      )
      const d = state.spec.schema.features.length
      const valid = got
        .map((m) => m.header.stats as ColumnStats)
        .filter(
          (s) =>
            s.count.length === d &&
            s.sum.length === d &&
            s.sumSq.length === d &&
            s.categoryCounts.length === d,
        )
      if (valid.length >= state.spec.minParticipants)
        return { stats: mergeColumnStats(valid), holders: valid.length }
      emit({
        type: 'round-failed',
        round: 0,
        attempt,
        reason: `${valid.length} column statistics by the deadline`,
      })
    }
    throw new FlJobFailedError('Too few holders sent column statistics to fit the preprocessing')
  }

  async function run(signal?: AbortSignal): Promise<FlJobState> {
    await initTraining()
    const s = state.spec
    const classes = s.schema.target.classes
    if (!state.preprocessing || !state.global) {
      const { stats, holders } = await collectStats(signal)
      const pre = preprocessingFromStats(s.schema, stats)
      const net = createModel(s.model, pre.outputDim, classes.length, s.seed)
      const global = getFlatWeights(net)
      net.dispose()
      const genesis = createGenesis({
        job: s.id,
        coordinator: options.host.peerId.toString(),
        spec: JSON.parse(canonicalJson(s)),
        preprocessingHash: sha256Hex(new TextEncoder().encode(canonicalJson(preprocessingToWire(pre)))),
        initialHash: weightsHash(global),
      })
      state = { ...state, status: 'running', preprocessing: pre, global, lineage: startLineage(genesis) }
      save()
      emit({ type: 'preprocessing', holders, rows: stats.rows })
    }
    if (options.payments && s.dataBudget && BigInt(s.dataBudget) > 0n && !state.payments?.escrowJobId) {
      const deadline = BigInt(Math.floor(Date.now() / 1000) + (options.escrowDurationS ?? 7 * 86_400))
      const specHash = `0x${state.lineage!.genesis.hash}` as const
      const escrowJobId = await openDataEscrow(options.payments, BigInt(s.dataBudget), deadline, specHash)
      state = { ...state, payments: { payees: {}, ...state.payments, escrowJobId } }
      save()
      emit({ type: 'escrow-opened', escrowJobId, budget: s.dataBudget })
    }
    const pre = state.preprocessing!
    const preWire = preprocessingToWire(pre)
    const net = createModel(s.model, pre.outputDim, classes.length, s.seed)
    const model = { net, preprocessing: pre }
    try {
      while (state.round < s.rounds) {
        const round = state.round + 1
        let result: Awaited<ReturnType<typeof runPlainRound>> | undefined
        for (let attempt = 0; !result; attempt++) {
          if (attempt >= s.maxRoundAttempts) {
            throw new FlJobFailedError(`Round ${round} failed ${attempt} times`, {
              metaMessages: ['Check that enough holders are online, or lower minParticipants.'],
            })
          }
          if (signal?.aborted) throw signal.reason
          const sessions = await registry!.waitFor(
            s.minParticipants,
            options.joinTimeoutMs ?? 600_000,
            signal,
          )
          for (const x of sessions) x.enterRound(round, attempt)
          const input = {
            spec: s,
            round,
            attempt,
            global: state.global!,
            preprocessing: preWire,
            sessions,
            deadline: Date.now() + s.roundDeadlineMs,
          }
          try {
            result = s.secureAggregation ? await runSecAggRound(input) : await runPlainRound(input)
          } catch (err) {
            if (!(err instanceof FlRoundFailedError)) throw err
            log.warn({ round, attempt, err: err.shortMessage }, 'round failed; retrying')
            emit({ type: 'round-failed', round, attempt, reason: err.shortMessage })
          }
        }
        const { shares, valuation } = roundShares(
          result.participants,
          result.updates,
          model,
          state.global!,
          options.validation,
          s.seed + round,
        )
        setFlatWeights(net, result.weights)
        const testAccuracy = options.test
          ? evaluate({ net, preprocessing: pre, spec: s.model, classes }, options.test).accuracy
          : undefined
        const eps = result.participants.map((p) => p.privacy?.epsilon ?? 0)
        const aggregateHash = weightsHash(result.weights)
        const lineage = appendRound(state.lineage!, {
          round,
          participants: [...result.participants].sort((a, b) => (a.peer < b.peer ? -1 : 1)),
          aggregateHash,
          secureAggregation: !!s.secureAggregation,
          ...(result.dropped?.length ? { dropped: result.dropped } : {}),
          shares,
          valuation,
          ...(s.privacy ? { maxEpsilon: Math.max(...eps) } : {}),
          ...(testAccuracy !== undefined ? { testAccuracy } : {}),
        })
        state = { ...state, round, global: result.weights, lineage }
        save()
        emit({
          type: 'round',
          round,
          participants: result.participants.map((p) => p.peer),
          meanLoss: result.meanLoss,
          testAccuracy,
          aggregateHash,
          shares,
        })
      }
    } finally {
      net.dispose()
    }
    const lineage = state.lineage!
    const payouts = payoutsOf(state)
    if (state.status !== 'done') {
      if (options.payments && payouts && state.payments?.escrowJobId && !state.payments.vouchers) {
        const vouchers = await signDataVouchers(options.payments, state, payouts)
        state = { ...state, payments: { ...state.payments, vouchers } }
      }
      state = { ...state, status: 'done' }
      save()
      if (options.anchor && lineage.modelHash) await options.anchor.anchor(lineage.modelHash, lineage.root)
    }
    await registry?.sendEach((peer) => {
      const payment = state.payments?.vouchers?.[peer]
      return {
        t: 'done',
        job: s.id,
        round: state.round,
        attempt: 0,
        modelHash: lineage.modelHash ?? lineage.genesis.initialHash,
        rounds: state.round,
        ...(payment ? { payment } : {}),
      }
    })
    emit({ type: 'done', modelHash: lineage.modelHash ?? '', root: lineage.root, payouts })
    return state
  }

  return {
    jobId: spec.id,
    async start() {
      registry = await acceptHolders(
        options.host,
        options.key,
        () => state,
        emit,
        (peer, payee) => {
          if (!options.payments || state.payments?.payees[peer] === payee) return
          const payees = { ...state.payments?.payees, [peer]: payee }
          state = { ...state, payments: { escrowJobId: '', ...state.payments, payees } }
          save()
        },
      )
    },
    run: async (signal) => {
      try {
        return await run(signal)
      } catch (err) {
        if (err instanceof FlJobFailedError) {
          state = { ...state, status: 'failed', error: err.shortMessage }
          save()
        }
        throw err
      }
    },
    state: () => state,
    holders: () => registry?.peers() ?? [],
    async stop() {
      await registry?.stop()
    },
  }
}

/** Sum of each holder's round shares, split over the job's data budget (exact, largest remainder). */
export function payoutsOf(state: FlJobState): Record<string, string> | undefined {
  if (!state.spec.dataBudget || !state.lineage) return undefined
  const total = new Map<string, number>()
  for (const r of state.lineage.rounds)
    for (const [p, v] of Object.entries(r.shares)) total.set(p, (total.get(p) ?? 0) + v)
  const peers = [...total.keys()].sort()
  const amounts = allocateShares(
    peers.map((p) => total.get(p)!),
    BigInt(state.spec.dataBudget),
  )
  return Object.fromEntries(peers.map((p, i) => [p, amounts[i].toString()]))
}
