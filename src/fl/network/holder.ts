import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { columnStats } from '../../data/column-stats.js'
import { loadCsvFile } from '../../data/load.js'
import type { DataSchema, Dataset } from '../../data/schema.js'
import { AbortedError, firstLine, InvalidInputError } from '../../errors.js'
import { logger } from '../../log.js'
import type { Host } from '../../net/host.js'
import { canonicalJson } from '../../net/signing.js'
import { initTraining } from '../../train/backend.js'
import { createPrivacyAccountant, type PrivacyAccountant, type PrivacyBudget } from '../privacy/accountant.js'
import { FlDataMismatchError, FlJoinRejectedError } from './errors.js'
import { handleRound, type RoundRunner, roundRunner } from './holder-round.js'
import { type FlHolderLedger, redeemDataPayment } from './payments.js'
import { CoordinatorMessage, type DataPayment, type FlJobSpec } from './protocol.js'
import { flWire } from './wire.js'

const log = logger('fl:holder')

/** What a holder reports while it works. */
export type FlHolderEvent =
  | { type: 'joined'; job: string; coordinator: string }
  | { type: 'update-sent'; round: number; loss: number; secure: boolean; epsilon?: number }
  | { type: 'declined'; round: number; reason: string }
  | { type: 'disconnected'; error: string }
  | { type: 'done'; modelHash: string; payment?: string }
  | { type: 'paid'; amount: string; txHash: string }

/** Options of {@link createFlHolder}. */
export interface FlHolderOptions {
  host: Host
  key: PrivateKey
  /** The coordinator's multiaddr, ending in `/p2p/<peer id>`. */
  coordinator: string
  jobId: string
  /** A CSV file (loaded and checked against the job's schema), or a loader given the schema. */
  data: string | ((schema: DataSchema) => Dataset | Promise<Dataset>)
  /** The (ε, δ) this holder will spend at most on a DP job (default ε 8, δ 1e-5). */
  privacyBudget?: PrivacyBudget
  /** How long to keep reconnecting after the coordinator goes away (default 120 s). */
  reconnectMs?: number
  /** Sees every frame this holder writes (tests check that no raw row is ever sent). */
  onSend?: (frame: Uint8Array) => void
  /**
   * Replaces this holder's plain update before it is sent: simulates a malicious holder (sign-flipped or
   * scaled updates) in tests and benchmarks. Never set by the CLI.
   */
  tamperUpdate?: (weights: Float32Array, global: Float32Array) => Float32Array
  /** Called before each message is sent (tests simulate slow or crashing holders). */
  beforeSend?: (round: number, type: string) => void | Promise<void>
  onEvent?: (e: FlHolderEvent) => void
  /**
   * This holder's own ledger client: its address is sent as the payee when it joins, and the voucher for
   * its share of the data budget that arrives with `done` is redeemed with it (no coordinator needed).
   */
  payments?: FlHolderLedger
}

/** What a holder ends with. */
export interface FlHolderResult {
  modelHash: string
  rounds: number
  updatesSent: number
  privacy?: { epsilon: number; delta: number }
  /** Its share of the data budget: redeemed on-chain (`txHash`), or why not (`error`). */
  payment?: { amount: string; txHash?: string; error?: string }
}

/** A data holder of an `fl-train` job. */
export interface FlHolder {
  /** Joins the job and answers rounds until the coordinator says it is done. */
  run(signal?: AbortSignal): Promise<FlHolderResult>
}

/**
 * Creates a data holder: it dials the coordinator on `/mutirao/fl/1`, joins the job, loads its own rows
 * with the job's schema, and per round trains locally and sends only its (clipped, noised, masked) update,
 * signed. Its rows never leave it. It reconnects if the stream drops (coordinator restart).
 */
export function createFlHolder(options: FlHolderOptions): FlHolder {
  const addr = multiaddr(options.coordinator)
  const coordinatorPeer = /\/p2p\/([A-Za-z0-9]+)$/.exec(options.coordinator)?.[1]
  if (!coordinatorPeer)
    throw new InvalidInputError(`Coordinator address ${options.coordinator} has no /p2p/<peer id>`)
  const self = options.host.peerId.toString()
  let data: Dataset | undefined
  let accountant: PrivacyAccountant | undefined
  let runner: RoundRunner | undefined
  let updatesSent = 0
  let joined = false

  async function load(spec: FlJobSpec): Promise<Dataset> {
    if (data) return data
    const ds =
      typeof options.data === 'string'
        ? await loadCsvFile(options.data, { schema: spec.schema })
        : await options.data(spec.schema)
    if (canonicalJson(ds.schema) !== canonicalJson(spec.schema)) {
      throw new FlDataMismatchError("The holder's data does not have the job's schema", {
        metaMessages: ['Load the file with the schema the job announced.'],
      })
    }
    data = ds
    return ds
  }

  async function redeem(ledger: FlHolderLedger, p: DataPayment) {
    const amount = p.cumulativeAmount
    try {
      const { txHash } = await redeemDataPayment(ledger, p)
      options.onEvent?.({ type: 'paid', amount, txHash })
      return { amount, txHash }
    } catch (err) {
      const error = firstLine(err)
      log.warn({ amount, error }, 'could not redeem the data-budget voucher')
      return { amount, error }
    }
  }

  /** One connection: join, then answer messages until `done` (returns) or the stream ends (throws). */
  async function session(signal?: AbortSignal): Promise<FlHolderResult> {
    const stream = await options.host.dialProtocol(addr, options.host.services.wire.protocols.fl, {
      signal,
      runOnLimitedConnection: true,
    })
    const wire = flWire(stream, { key: options.key, remotePeer: coordinatorPeer!, onSend: options.onSend })
    const onAbort = () => wire.abort(new AbortedError('holder stopped'))
    signal?.addEventListener('abort', onAbort)
    try {
      const payee = options.payments ? { payee: options.payments.address } : {}
      await wire.send({ t: 'join', job: options.jobId, round: 0, attempt: 0, ...payee })
      const first = await wire.recv(CoordinatorMessage, { signal: AbortSignal.timeout(15_000) })
      if (first.header.t !== 'welcome') {
        throw new FlJoinRejectedError(`Coordinator refused to let this holder join job ${options.jobId}`, {
          details: first.header.t === 'reject' ? first.header.reason : first.header.t,
        })
      }
      const spec = first.header.spec
      const ds = await load(spec)
      if (spec.privacy && spec.privacy.noiseMultiplier > 0) {
        accountant ??= createPrivacyAccountant({
          budget: options.privacyBudget ?? { epsilon: 8, delta: 1e-5 },
        })
      }
      runner ??= await roundRunner(spec, ds, self)
      runner.tamper = options.tamperUpdate
      joined = true
      options.onEvent?.({ type: 'joined', job: spec.id, coordinator: coordinatorPeer! })
      for (;;) {
        const msg = await wire.recv(CoordinatorMessage)
        const h = msg.header
        if (h.t === 'done') {
          const spent = accountant?.spent()
          wire.abort(new Error('job done'))
          options.onEvent?.({
            type: 'done',
            modelHash: h.modelHash,
            ...(h.payment ? { payment: h.payment.cumulativeAmount } : {}),
          })
          const payment =
            h.payment && options.payments ? await redeem(options.payments, h.payment) : undefined
          return {
            modelHash: h.modelHash,
            rounds: h.rounds,
            updatesSent,
            ...(spent ? { privacy: { epsilon: spent.epsilon, delta: spent.delta } } : {}),
            ...(payment ? { payment } : {}),
          }
        }
        if (h.t === 'stats-request') {
          await options.beforeSend?.(h.round, 'stats')
          await wire.send({
            t: 'stats',
            job: spec.id,
            round: h.round,
            attempt: h.attempt,
            stats: columnStats(ds),
          })
          continue
        }
        const base = { job: spec.id, round: h.round, attempt: h.attempt }
        try {
          const out = await handleRound(runner, msg, accountant, async (header, body) => {
            await options.beforeSend?.(h.round, String(header.t))
            await wire.send({ ...header, ...base }, body)
          })
          if (out) {
            updatesSent++
            options.onEvent?.({ type: 'update-sent', round: h.round, ...out })
          }
        } catch (err) {
          if ((err as Error).name === 'AbortedError') throw err
          const reason = firstLine(err).slice(0, 400)
          log.warn({ round: h.round, t: h.t, reason }, 'declining the round')
          options.onEvent?.({ type: 'declined', round: h.round, reason })
          await wire.send({ t: 'decline', ...base, reason })
        }
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      wire.abort(new Error('holder session over'))
    }
  }

  return {
    async run(signal) {
      await initTraining()
      let failingSince = Date.now()
      for (;;) {
        joined = false
        try {
          return await session(signal)
        } catch (err) {
          if (joined) failingSince = Date.now()
          if (signal?.aborted) throw new AbortedError('Holder stopped', { cause: err })
          if ((err as Error).name === 'AbortedError') throw err
          if (
            err instanceof FlJoinRejectedError ||
            err instanceof FlDataMismatchError ||
            (err as Error).name === 'DataTooLargeError' ||
            (err as Error).name === 'SchemaMismatchError' ||
            (err as Error).name === 'CsvParseError'
          )
            throw err
          const error = firstLine(err)
          options.onEvent?.({ type: 'disconnected', error })
          if (Date.now() - failingSince > (options.reconnectMs ?? 120_000)) throw err
          log.info({ error }, 'coordinator unreachable; reconnecting')
          await new Promise((r) => setTimeout(r, 500))
        }
      }
    },
  }
}
