import { firstLine } from '../errors.js'
import { batchSizeAlong } from '../exec/batch-axes.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import { decodeTensors, encodeTensors } from '../exec/tensor-codec.js'
import type { Logger } from '../log.js'
import { channel } from '../net/channel.js'
import type { Host } from '../net/host.js'
import type { ProviderPayments } from '../payments/provider-payments.js'
import type { ProviderSettlement } from '../payments/provider-settlement.js'
import type { Agreement } from '../protocols/market-messages.js'
import {
  HEARTBEAT_MS,
  MAX_TASK_HEADER_BYTES,
  OpenMsg,
  type TaskMessage,
  ToProviderMsg,
} from '../protocols/task-messages.js'
import { sha256Hex } from '../store/sha256.js'
import type { AgreementBook } from './agreements.js'
import { creditExhausted } from './credit-limit.js'
import type { CurrentWork } from './current-work.js'
import type { EvidenceSigner } from './evidence-signer.js'
import { taskErrorCode, taskErrorMessage } from './task-error-code.js'
import type { ProviderTerms, WorkGate } from './types.js'

/** Components the task server needs. */
export interface TaskServerComponents {
  host: Host
  terms: ProviderTerms
  gate: WorkGate
  book: AgreementBook
  executor: TaskExecutor
  log: Logger
  /** Called after each completed task (accounting, metrics). */
  onTaskDone?: (info: { agreementId: string; taskId: string; units: number }) => void
  /** Receipts, vouchers and redemption; absent = unpaid work (tests of the market alone). */
  payments?: ProviderPayments
  /** Payee checks and releases (early settlement): no work for a job that cannot pay us or was released. */
  settlement?: ProviderSettlement
  /** Dispute evidence on results whose agreement asks for it; absent = never attached. */
  evidence?: EvidenceSigner
  /** What this provider computes for whom (status, the dashboard); absent = not kept. */
  work?: CurrentWork
}

/** Live counters of the task server. */
export interface TaskServerStats {
  running: number
  completed: number
  failed: number
  refused: number
}

/**
 * Serve `/mutirao/task/1`: one stream per agreement; tasks are pipelined, run concurrently up to the
 * provider's thread count, answered with results (signed EIP-712 evidence when the agreement asks for it), with heartbeats while the stream is open.
 */
export async function serveTasks(c: TaskServerComponents): Promise<TaskServerStats> {
  const stats: TaskServerStats = { running: 0, completed: 0, failed: 0, refused: 0 }
  const maxFrame = { maxHeaderBytes: MAX_TASK_HEADER_BYTES, maxBodyBytes: c.terms.maxTaskBytes }
  await c.host.handle(
    c.host.services.wire.protocols.task,
    async (stream) => {
      const ch = channel(stream, maxFrame)
      const controllers = new Map<string, AbortController>()
      // The channel keeps call order and writes the frames of one tick together; a failed write ends the
      // stream's read loop, so send errors need no handling here.
      let lastSend = Promise.resolve()
      const send = (header: unknown, body?: Uint8Array) => {
        lastSend = ch.send(header, body).catch(() => {})
        return lastSend
      }
      let heartbeat: NodeJS.Timeout | undefined
      let escrowJob: string | undefined
      let working: string | undefined
      let badFrame: Error | undefined
      /** Results of this stream that no voucher covers yet (see creditExhausted). */
      const unvouchered = new Set<string>()
      /** Voucher checks of this stream, in order; aborted when one is refused. */
      let vouchers = Promise.resolve()
      const refused = new AbortController()
      try {
        const { header: open } = await ch.recv(OpenMsg, { signal: AbortSignal.timeout(10_000) })
        const active = c.book.get(open.agreementId)
        if (!active) {
          await send({ t: 'error', taskId: '-', code: 'unknown-agreement', message: 'no such agreement' })
          await ch.close()
          return
        }
        const { agreement } = active
        escrowJob = agreement.escrow?.jobId
        const unpaid = escrowJob && c.settlement && (await payeeProblem(c.settlement, escrowJob))
        if (unpaid) {
          await send({ t: 'error', taskId: '-', code: 'unknown-agreement', message: unpaid })
          await ch.close()
          return
        }
        await active.modelReady
        await send({ t: 'ready', slots: c.terms.threads, silenceMs: c.terms.silenceMs })
        c.work?.open(agreement)
        working = agreement.agreementId
        heartbeat = setInterval(
          () => void send({ t: 'hb', running: stats.running, busy: !c.gate.accepting() }),
          HEARTBEAT_MS,
        )
        for (;;) {
          let frame: Awaited<ReturnType<typeof ch.recv<typeof ToProviderMsg>>>
          try {
            frame = await ch.recv(ToProviderMsg, { signal: refused.signal })
          } catch (err) {
            if (isBadFrame(err)) throw err
            break
          }
          const msg = frame.header
          if (msg.t === 'cancel') {
            controllers.get(msg.taskId)?.abort()
            continue
          }
          if (msg.t === 'voucher') {
            const payments = c.payments
            if (!payments) continue
            // Checked beside the task loop (a voucher re-hashes the job's whole receipts tree): the tasks
            // that arrive meanwhile are served. A refused voucher ends the loop and closes the stream.
            vouchers = vouchers.then(async () => {
              try {
                await payments.acceptVoucher(agreement, msg)
                for (const id of msg.taskIds) unvouchered.delete(id)
                void send({
                  t: 'voucher-ack',
                  escrowJob: msg.escrowJob,
                  cumulativeUnits: msg.cumulativeUnits,
                })
              } catch (err) {
                c.log.warn(
                  { agreement: agreement.agreementId, err: (err as Error).message },
                  'voucher refused; closing stream',
                )
                refused.abort(err)
              }
            })
            continue
          }
          if (msg.units !== msg.samples * agreement.costPerSample) {
            void send({
              t: 'error',
              taskId: msg.taskId,
              code: 'invalid-input',
              message: `units must be samples × ${agreement.costPerSample}`,
            })
            continue
          }
          if (
            c.payments &&
            agreement.escrow &&
            creditExhausted(unvouchered.size, c.payments.uncovered(agreement.escrow.jobId))
          ) {
            stats.refused++
            void send({
              t: 'error',
              taskId: msg.taskId,
              code: 'busy',
              message: 'waiting for a voucher covering earlier tasks',
            })
            continue
          }
          if (escrowJob && c.settlement?.released(escrowJob)) {
            stats.refused++
            void send({
              t: 'error',
              taskId: msg.taskId,
              code: 'busy',
              message: `escrow job ${escrowJob} was released: no more work on it`,
            })
            continue
          }
          const deadline = Math.min(msg.deadline, agreement.deadline)
          if (!c.gate.accepting()) {
            stats.refused++
            void send({
              t: 'error',
              taskId: msg.taskId,
              code: 'busy',
              message: 'provider is not taking new work',
            })
            continue
          }
          if (deadline <= Date.now()) {
            stats.refused++
            void send({
              t: 'error',
              taskId: msg.taskId,
              code: 'deadline',
              message: 'task deadline has passed',
            })
            continue
          }
          // a view into the frame just read: the executor copies it once for its worker
          const body = frame.body
          const ctl = new AbortController()
          controllers.set(msg.taskId, ctl)
          const running = runTask(c, stats, agreement, msg, body, deadline, ctl.signal, send, unvouchered)
          void (escrowJob && c.settlement ? c.settlement.track(escrowJob, running) : running).finally(() => {
            controllers.delete(msg.taskId)
            c.onTaskDone?.({ agreementId: agreement.agreementId, taskId: msg.taskId, units: msg.units })
          })
        }
      } catch (err) {
        if (isBadFrame(err)) {
          // oversized or malformed bytes from the peer: reset the stream rather than read on
          c.log.warn({ err: (err as Error).message }, 'bad task frame; resetting stream')
          badFrame = err as Error
        } else c.log.debug({ err: (err as Error).message }, 'task stream ended')
      } finally {
        if (heartbeat) clearInterval(heartbeat)
        if (working) c.work?.closed(working)
        await vouchers // a voucher still being checked is held (and redeemed below) once it checks out
        if (escrowJob) c.payments?.jobEnded(escrowJob)
        for (const ctl of controllers.values()) ctl.abort()
        if (badFrame) ch.abort(badFrame)
        else {
          await lastSend
          await ch.close().catch(() => {})
        }
      }
    },
    // over a relay when no direct path exists, within the relay's limits (src/net/relay-limits.ts)
    { maxInboundStreams: 64, runOnLimitedConnection: true },
  )
  return stats
}

/** Why a job's escrow cannot pay us (not a payee, or unreadable), or undefined when it can. */
async function payeeProblem(settlement: ProviderSettlement, escrowJob: string): Promise<string | undefined> {
  try {
    if (await settlement.isPayee(escrowJob)) return undefined
    return `this provider is not a payee of escrow job ${escrowJob}: the requester must add it (addPayees) first`
  } catch (err) {
    return `could not read escrow job ${escrowJob}: ${firstLine(err)}`
  }
}

/** A frame the peer should never have sent: over the size limit, or not a valid message. */
const isBadFrame = (err: unknown) =>
  (err as Error).name === 'InvalidInputError' || (err as Error).name === 'MessageTooLargeError'

async function runTask(
  c: TaskServerComponents,
  stats: TaskServerStats,
  agreement: Agreement,
  msg: TaskMessage,
  body: Uint8Array,
  deadline: number,
  signal: AbortSignal,
  send: (header: unknown, body?: Uint8Array) => Promise<void>,
  unvouchered: Set<string>,
): Promise<void> {
  stats.running++
  c.work?.started(agreement.agreementId)
  let ok = false
  try {
    if (sha256Hex(body) !== msg.inputHash)
      throw Object.assign(new Error('input hash mismatch'), { code: 'invalid-input' })
    const inputs = decodeTensors(body, { maxTotalBytes: c.terms.maxTaskBytes })
    const samples = batchSizeAlong(inputs, agreement.inputAxes)
    if (samples !== msg.samples) {
      throw Object.assign(new Error(`task holds ${samples} samples, not ${msg.samples}`), {
        code: 'invalid-input',
      })
    }
    const { kind, modelHash } = agreement
    const outputs = await c.executor.run({ kind, modelHash, inputs, encoded: body, signal, deadline })
    const out = encodeTensors(outputs)
    // the stream is authenticated (noise): what a third party may need — the EIP-712 evidence of a disputable
    // agreement — is signed; a per-result Ed25519 signature was checked by the requester and used by nothing
    const signed = { taskId: msg.taskId, inputHash: msg.inputHash, outputHash: sha256Hex(out) }
    const evidence = agreement.disputes && (await c.evidence?.sign(agreement, signed))
    stats.completed++
    ok = true
    c.payments?.recordTask(agreement, {
      taskId: msg.taskId,
      units: msg.units,
      inputHash: msg.inputHash,
      outputHash: signed.outputHash,
    })
    if (c.payments) unvouchered.add(msg.taskId)
    const placed = c.executor.placement?.(modelHash)
    await send(
      {
        t: 'result',
        ...signed,
        ...(evidence && { evidence }),
        ...(placed && { ep: placed.ep, ...(placed.fallback && { epFallback: placed.fallback }) }),
      },
      out,
    )
  } catch (err) {
    stats.failed++
    const code = taskErrorCode(err, signal.aborted)
    await send({ t: 'error', taskId: msg.taskId, code, message: taskErrorMessage(err) })
  } finally {
    stats.running--
    c.work?.ended(agreement.agreementId, ok, msg.units)
  }
}
