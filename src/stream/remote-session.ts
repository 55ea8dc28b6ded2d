import type { PeerId } from '@libp2p/interface'
import { InvalidInputError, MutiraoError } from '../errors.js'
import { inspectModel } from '../exec/model-info.js'
import type { TensorMap } from '../exec/tensor.js'
import type { Host } from '../net/host.js'
import { sha256Hex } from '../store/blob-store.js'
import { type CallRecord, CallRecorder } from './call-recorder.js'
import type { SessionOptions, StreamSession } from './local-session.js'
import { pipelined } from './pipeline.js'
import { openLink, type RemoteLink } from './remote-link.js'
import type { SessionPayer, SessionSpend } from './session-payer.js'
import { initialState, nextState, withState } from './state-feedback.js'

/** Options of a session at a provider. */
export interface RemoteSessionOptions extends Omit<SessionOptions, 'batch'> {
  host: Host
  /** Providers to use, in order of preference: the first serves, the next take over when it fails. */
  providers: readonly (PeerId | string)[]
  /** Move to the next provider when one fails (default), or fail the pending samples with the reason. */
  failover?: boolean
  /** Samples sent ahead of their outputs (default 32): hides the round trip behind the provider's work. */
  window?: number
  /** Largest outputs of one sample accepted (default 16 MiB). */
  maxOutputBytes?: number
  /** Share of calls recorded (inputs with their state, and outputs) for a spot-check replay (default 0). */
  record?: number
  /** A provider that answers nothing for this long while samples wait is given up (default 10 s). */
  silenceMs?: number
  /** Pays providers that ask for payment (an agreement and escrow each, vouchers over receipts). */
  payer?: SessionPayer
  /** Told when the session moves to another provider, and why. */
  onFailover?: (info: { from: string; to: string; reason: string; pending: number }) => void
}

/** A session at a provider, with what it did. */
export interface RemoteStreamSession extends StreamSession {
  /** The provider serving now (undefined once every provider failed). */
  provider(): string | undefined
  /** Samples answered per provider. */
  served(): Record<string, number>
  /** The calls recorded for a spot-check ({@link spotCheck}). */
  records(): readonly CallRecord[]
  /** What the session paid each provider (paid sessions; empty when every provider served free). */
  spent(): SessionSpend[]
}

/** Every provider of a session failed, or failover was off; names what happened. */
export class StreamFailedError extends MutiraoError {}

interface Pending {
  seq: number
  sample: TensorMap
  resolve(out: TensorMap): void
  reject(err: Error): void
}

/**
 * Open a streaming session at a provider. Samples are pipelined (`window` in flight) and answered in
 * order. The caller keeps the state too (each answer's fed-back outputs), so when a provider fails the
 * session reopens at the next one with the state after the last answered sample and resends the samples
 * not yet answered: none is lost, none answered twice.
 * @example
 * const s = await openRemoteSession(model, { host, providers: [a, b], feedback: { h: 'hOut' } })
 * for await (const out of s.stream(samples)) console.log(out.y)
 */
export async function openRemoteSession(
  modelBytes: Uint8Array,
  o: RemoteSessionOptions,
): Promise<RemoteStreamSession> {
  if (!o.providers.length)
    throw new InvalidInputError('a remote session needs at least one provider', {
      metaMessages: ['Name a peer (where: { peer }) or use where: "nearest".'],
    })
  const model = inspectModel(modelBytes)
  const modelHash = sha256Hex(modelBytes)
  const feedback = o.feedback ?? {}
  const window = Math.max(1, o.window ?? 32)
  const recorder = new CallRecorder(o.record ?? 0)
  let state = initialState(model, feedback, o.state)
  const pending: Pending[] = []
  const served: Record<string, number> = {}
  let sent = 0 // pending[0 … sent) are at the current provider
  let nextSeq = 0
  let next = 0 // index into o.providers of the next provider to try
  let link: RemoteLink | undefined
  let closing = false
  let closed = false
  /** Settles after every sample submitted so far (answers come in order; a failure rejects them all). */
  let last: Promise<unknown> = Promise.resolve()
  /** When the current provider last answered (or took the session): a silent provider is abandoned. */
  let lastProgress = Date.now()
  let failure: Error | undefined

  const pump = () => {
    while (link && sent < pending.length && sent < window) {
      const p = pending[sent++]
      link.send(p.seq, p.sample)
    }
  }
  const connect = async (): Promise<void> => {
    const errors: string[] = []
    while (next < o.providers.length) {
      const provider = o.providers[next++]
      try {
        const l: RemoteLink = await openLink(
          o.host,
          provider,
          {
            model: modelBytes,
            modelHash,
            feedback,
            state,
            maxOutputBytes: o.maxOutputBytes ?? 16 << 20,
            payer: o.payer,
          },
          {
            onOut: (seq, outputs) => l === link && answered(seq, outputs),
            onSampleError: (seq, code, message) => l === link && refusedSample(seq, code, message),
            onDown: (reason) => l === link && down(reason),
          },
        )
        link = l
        sent = 0
        lastProgress = Date.now()
        pump()
        return
      } catch (err) {
        errors.push((err as Error).message)
        if (o.failover === false) break
      }
    }
    throw new StreamFailedError(`no provider could take the session: ${errors.join('; ')}`)
  }
  const head = (seq: number): Pending | undefined => {
    if (pending[0]?.seq === seq) return pending.shift()
    link?.abort(`provider ${link.provider} answered sample ${seq} out of order`)
  }
  const answered = (seq: number, outputs: TensorMap) => {
    const p = head(seq)
    if (!p) return
    sent--
    lastProgress = Date.now()
    const before = state
    recorder.offer(() => withState(p.sample, before), outputs)
    state = nextState(outputs, feedback)
    served[link!.provider] = (served[link!.provider] ?? 0) + 1
    p.resolve(outputs)
    pump()
  }
  const refusedSample = (seq: number, code: string, message: string) => {
    const p = head(seq)
    if (!p) return
    sent--
    p.reject(
      new InvalidInputError(`sample ${seq} refused by provider ${link!.provider} (${code}): ${message}`),
    )
    pump()
  }
  const down = (reason: string) => {
    const from = link!.provider
    link = undefined
    if (closed) return
    if (o.failover === false || next >= o.providers.length) return failAll(new StreamFailedError(reason))
    connect().then(
      () => o.onFailover?.({ from, to: link!.provider, reason, pending: pending.length }),
      (err: Error) => failAll(new StreamFailedError(`${reason}; then ${err.message}`)),
    )
  }
  const failAll = (err: Error) => {
    failure = err
    for (const p of pending.splice(0)) p.reject(err)
  }

  await connect()
  const silence = o.silenceMs ?? 10_000
  const watchdog = setInterval(
    () => {
      if (link && sent > 0 && Date.now() - lastProgress > silence)
        link.abort(`provider ${link.provider} answered nothing for ${silence} ms`)
    },
    Math.min(1000, silence / 2),
  )
  watchdog.unref()
  const self: RemoteStreamSession = {
    model,
    infer(sample) {
      if (closing) return Promise.reject(new InvalidInputError('the session is closed'))
      if (failure) return Promise.reject(failure)
      try {
        withState(sample, state) // a sample may not set a state input: refused here, before it is sent
      } catch (err) {
        return Promise.reject(err)
      }
      const answer = new Promise<TensorMap>((resolve, reject) => {
        pending.push({ seq: nextSeq++, sample, resolve, reject })
        pump()
      })
      last = answer.catch(() => {})
      return answer
    },
    stream: (samples) => pipelined(samples, (s) => self.infer(s), window),
    state: () => state,
    provider: () => link?.provider,
    served: () => ({ ...served }),
    records: () => recorder.records,
    spent: () => o.payer?.spent() ?? [],
    async close() {
      if (closing) return
      closing = true
      await last
      closed = true
      clearInterval(watchdog)
      await link?.close()
    },
  }
  return self
}
