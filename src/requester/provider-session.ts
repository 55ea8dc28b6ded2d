import { peerIdFromString } from '@libp2p/peer-id'
import { firstLine } from '../errors.js'
import { type Channel, channel } from '../net/channel.js'
import { onlyRelayed } from '../net/connections.js'
import type { FrameBody } from '../net/framing.js'
import type { Host } from '../net/host.js'
import type { Agreement } from '../protocols/market-messages.js'
import { type ToRequester, ToRequesterMsg, type VoucherMessage } from '../protocols/task-messages.js'
import { ResultPace } from './pipeline.js'
import { graceFor, SilenceWatch } from './silence-watch.js'

/** How often the session checks that the provider is still heard. */
const WATCHDOG_TICK_MS = 500
/** Longest wait for a hole punch with the provider before the task stream opens (over the relay, then). */
const PUNCH_WAIT_MS = 3000

/** A task as sent to a provider. */
export interface OutgoingTask {
  taskId: string
  samples: number
  units: number
  inputHash: string
  deadline: number
  /** The encoded inputs, or their parts (copied into the frame when sent). */
  body: FrameBody
}

/** What a session reports to its owner. */
export interface SessionEvents {
  onResult(session: ProviderSession, msg: Extract<ToRequester, { t: 'result' }>, body: Uint8Array): void
  onTaskError(session: ProviderSession, msg: Extract<ToRequester, { t: 'error' }>): void
  onDead(session: ProviderSession, reason: string): void
  /** The provider stored a voucher. */
  onVoucherAck?(session: ProviderSession, msg: Extract<ToRequester, { t: 'voucher-ack' }>): void
}

/**
 * The requester's end of one task stream to one provider under one agreement: pipelined sends,
 * results and errors as they come, and a heartbeat watchdog that declares the provider dead.
 */
export class ProviderSession {
  readonly agreement: Agreement
  readonly provider: string
  slots = 1
  /** Task ids sent and not yet answered. */
  readonly inFlight = new Set<string>()
  /** How quickly results come (quick tasks are sent in batches: see pipeline.ts). */
  readonly pace = new ResultPace()
  #ch?: Channel
  #dead = false
  #silence?: SilenceWatch
  #watchdog?: NodeJS.Timeout
  /** Settles once the last frame sent so far is written (frames are written in order). */
  #lastSend = Promise.resolve()

  constructor(
    private readonly host: Host,
    agreement: Agreement,
    private readonly events: SessionEvents,
    private readonly maxResultBytes: number,
  ) {
    this.agreement = agreement
    this.provider = agreement.provider
  }

  get dead(): boolean {
    return this.#dead
  }

  /** Open the stream and wait until the provider has the model and says ready. */
  async open(timeoutMs = 30_000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs)
    // a hole punch with the provider under way: wait for it, so this long-lived stream goes direct
    const peer = peerIdFromString(this.provider)
    await this.host.services.holePunch?.settled(this.provider, PUNCH_WAIT_MS, () =>
      onlyRelayed(this.host.getConnections(peer)),
    )
    const stream = await this.host.dialProtocol(peer, this.host.services.wire.protocols.task, {
      signal,
      runOnLimitedConnection: true,
    })
    this.#ch = channel(stream, { maxHeaderBytes: 16 * 1024, maxBodyBytes: this.maxResultBytes })
    await this.#ch.send({ t: 'open', agreementId: this.agreement.agreementId }, undefined, { signal })
    const { header } = await this.#ch.recv(ToRequesterMsg, { signal })
    if (header.t !== 'ready')
      throw new Error(`provider refused the stream: ${header.t === 'error' ? header.message : header.t}`)
    this.slots = header.slots
    const grace = graceFor(header.silenceMs)
    const silence = new SilenceWatch(Date.now(), grace, WATCHDOG_TICK_MS)
    this.#silence = silence
    this.#watchdog = setInterval(() => {
      if (silence.check(Date.now())) this.kill(`missed heartbeats (silent over ${grace / 1000} s)`)
    }, WATCHDOG_TICK_MS)
    void this.#readLoop()
  }

  /** Send a task (pipelined; does not wait for the result). */
  send(task: OutgoingTask): void {
    if (this.#dead || !this.#ch) throw new Error('session is closed')
    this.inFlight.add(task.taskId)
    const { body, ...header } = task
    // The channel keeps call order and writes the frames of one tick together (one socket write).
    this.#sent(this.#ch.send({ t: 'task', ...header }, body))
  }

  /** Send a payment voucher (after the tasks already sent). */
  sendVoucher(msg: VoucherMessage): void {
    if (this.#dead || !this.#ch) return
    this.#sent(this.#ch.send(msg))
  }

  /** Tell the provider a task is no longer wanted. */
  cancel(taskId: string): void {
    if (this.#dead || !this.#ch || !this.inFlight.delete(taskId)) return
    this.#lastSend = this.#ch.send({ t: 'cancel', taskId }).catch(() => {})
  }

  #sent(write: Promise<void>): void {
    this.#lastSend = write.catch((err) => this.kill(`send failed: ${(err as Error).message}`))
  }

  /** Close the session; `reason` is reported through onDead once. */
  kill(reason: string): void {
    if (this.#dead) return
    this.#dead = true
    clearInterval(this.#watchdog)
    this.#ch?.abort(new Error(reason))
    this.events.onDead(this, reason)
  }

  /** Close gracefully (job finished). */
  async close(): Promise<void> {
    if (this.#dead) return
    this.#dead = true
    clearInterval(this.#watchdog)
    await this.#lastSend
    await this.#ch?.close()
  }

  async #readLoop(): Promise<void> {
    const ch = this.#ch!
    try {
      for (;;) {
        const { header, body } = await ch.recv(ToRequesterMsg)
        this.#silence?.heard(Date.now())
        if (header.t === 'result') {
          if (!this.inFlight.delete(header.taskId)) continue // duplicate or cancelled: harmless
          this.pace.heard(Date.now())
          this.events.onResult(this, header, body)
        } else if (header.t === 'voucher-ack') {
          this.events.onVoucherAck?.(this, header)
        } else if (header.t === 'error') {
          if (!this.inFlight.delete(header.taskId)) continue
          this.events.onTaskError(this, header)
        }
      }
    } catch (err) {
      if (!this.#dead) this.kill(`stream failed: ${firstLine(err)}`)
    }
  }
}
