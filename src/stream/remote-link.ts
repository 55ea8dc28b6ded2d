import type { PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { TensorMap } from '../exec/tensor.js'
import { decodeTensors, encodeTensorParts } from '../exec/tensor-codec.js'
import { formatPrice } from '../market/price.js'
import { type Channel, channel } from '../net/channel.js'
import type { Host } from '../net/host.js'
import type { Agreement } from '../protocols/market-messages.js'
import {
  MAX_STREAM_HEADER_BYTES,
  MODEL_CHUNK_BYTES,
  type StreamErrorCode,
  type StreamTerms,
  ToStreamRequesterMsg,
} from '../protocols/stream-messages.js'
import { LinkBill } from './link-bill.js'
import type { SessionPayer } from './session-payer.js'
import type { Feedback, SessionState } from './state-feedback.js'

/** What a link reports to its session. */
export interface LinkEvents {
  /** The outputs of sample `seq`. */
  onOut(seq: number, outputs: TensorMap): void
  /** The provider refused sample `seq` (the session goes on). */
  onSampleError(seq: number, code: StreamErrorCode, message: string): void
  /** The link is gone (stream closed, reset, or a protocol breach); called once. */
  onDown(reason: string): void
}

/** What a link needs to open a session at a provider. */
export interface LinkOpen {
  model: Uint8Array
  modelHash: string
  feedback?: Feedback
  /** The state the provider's session starts from. */
  state: SessionState
  /** Largest outputs of one sample accepted (bytes). */
  maxOutputBytes: number
  signal?: AbortSignal
  /** Pays providers that ask for it; absent = only free sessions (a priced provider refuses). */
  payer?: SessionPayer
}

/** A provider's refusal of a session, with its code. */
export class SessionRefusedError extends Error {
  constructor(
    readonly provider: string,
    readonly code: StreamErrorCode | 'protocol' | 'unreachable',
    message: string,
  ) {
    super(
      code === 'unreachable'
        ? `provider ${provider} is ${message}`
        : `provider ${provider} refused the session: ${message}`,
    )
    this.name = 'SessionRefusedError'
  }
}

/** The peer id of a provider given as a peer id or a multiaddr ending in `/p2p/<id>`. */
export function providerName(provider: PeerId | string): string {
  if (typeof provider !== 'string' || !provider.startsWith('/')) return provider.toString()
  return (
    multiaddr(provider)
      .getComponents()
      .findLast((c) => c.name === 'p2p')?.value ?? provider
  )
}

/** One open stream session at one provider: samples out, outputs in, nothing more. */
export interface RemoteLink {
  readonly provider: string
  /** The session's agreement, when the provider is paid. */
  readonly agreement?: Agreement
  send(seq: number, sample: TensorMap): void
  close(): Promise<void>
  abort(reason: string): void
}

/**
 * Open a session at `provider`: dial `/mutirao/stream/1`, send the model if the provider asks for it, wait
 * until it is loaded, then read outputs until the stream ends.
 * @throws SessionRefusedError when the provider refuses (busy, model too large, …).
 */
export async function openLink(
  host: Host,
  provider: PeerId | string,
  o: LinkOpen,
  events: LinkEvents,
): Promise<RemoteLink> {
  const name = providerName(provider)
  const peer =
    typeof provider !== 'string'
      ? provider
      : provider.startsWith('/')
        ? multiaddr(provider)
        : peerIdFromString(provider)
  const signal = AbortSignal.any([AbortSignal.timeout(90_000), ...(o.signal ? [o.signal] : [])])
  const stream = await host
    .dialProtocol(peer, host.services.wire.protocols.stream, { signal, runOnLimitedConnection: true })
    .catch((err: Error) => {
      if (err.name === 'UnsupportedProtocolError')
        throw new SessionRefusedError(
          name,
          'unreachable',
          'not serving streaming sessions (a provider serves them with mutirao node --provide --serve-streams)',
        )
      throw new SessionRefusedError(name, 'unreachable', `not reachable (${err.message})`)
    })
  const ch = channel(stream, {
    maxHeaderBytes: MAX_STREAM_HEADER_BYTES,
    maxBodyBytes: Math.max(o.maxOutputBytes, 1024),
  })
  let bill: LinkBill | undefined
  try {
    const paid = await handshake(ch, name, host.peerId.toString(), o, signal)
    if (paid) bill = new LinkBill(o.payer!, paid.agreement, paid.terms, (v) => ch.send(v))
  } catch (err) {
    ch.abort(err as Error)
    throw err
  }
  let down = false
  const fail = (reason: string) => {
    if (down) return
    down = true
    ch.abort(new Error(reason))
    // what the provider answered is paid even though the stream is gone (on-chain, for it)
    bill?.abandon().catch(() => {})
    events.onDown(reason)
  }
  void (async () => {
    try {
      for (;;) {
        const { header, body } = await ch.recv(ToStreamRequesterMsg)
        if (header.t === 'out') {
          bill?.answered(header.seq, body)
          events.onOut(header.seq, decodeTensors(body, { maxTotalBytes: o.maxOutputBytes }))
        } else if (header.t === 'error' && header.seq !== undefined) {
          bill?.refused(header.seq)
          events.onSampleError(header.seq, header.code, header.message)
        } else if (header.t === 'voucher-ack') bill?.acked(BigInt(header.cumulativeUnits))
        else if (header.t === 'ended') bill?.ended()
        else if (header.t === 'error') return fail(`provider ${name} ended the session: ${header.message}`)
        else return fail(`provider ${name} sent '${header.t}' mid-session`)
      }
    } catch (err) {
      fail(`the stream to provider ${name} broke: ${(err as Error).message}`)
    }
  })()
  return {
    provider: name,
    agreement: bill?.agreement,
    send(seq, sample) {
      if (down) return
      const parts = encodeTensorParts(sample)
      bill?.sent(seq, parts)
      ch.send({ t: 'infer', seq }, parts).catch((err) =>
        fail(`sending to provider ${name} failed: ${(err as Error).message}`),
      )
    },
    async close() {
      if (bill && !down) await bill.finish(() => ch.send({ t: 'end' })).catch(() => {})
      down = true
      await ch.close().catch(() => {})
    },
    abort: fail,
  }
}

/** `open` → (`need-model` → chunks) → (`terms` → `agreement`, for a paid provider) → `ready`. */
async function handshake(
  ch: Channel,
  name: string,
  requester: string,
  o: LinkOpen,
  signal: AbortSignal,
): Promise<{ agreement: Agreement; terms: StreamTerms } | undefined> {
  let paid: { agreement: Agreement; terms: StreamTerms } | undefined
  const hasState = Object.keys(o.state).length > 0
  await ch.send(
    { t: 'open', modelHash: o.modelHash, modelBytes: o.model.length, feedback: o.feedback },
    hasState ? encodeTensorParts(o.state) : undefined,
    { signal },
  )
  for (;;) {
    const { header } = await ch.recv(ToStreamRequesterMsg, { signal })
    if (header.t === 'ready') return paid
    if (header.t === 'error') throw new SessionRefusedError(name, header.code, header.message)
    if (header.t === 'terms') {
      if (!o.payer)
        throw new SessionRefusedError(
          name,
          'payment',
          `it asks ${formatPrice(BigInt(header.pricePerUnit))} (${header.costPerSample} units per sample); open the session with a payer (SDK: pay, a wallet on chain ${header.chainId}), or use a provider that serves sessions free (price 0)`,
        )
      const agreement = await o.payer.agree(header, { requester, provider: name, modelHash: o.modelHash })
      await ch.send({ t: 'agreement', agreement }, undefined, { signal })
      paid = { agreement, terms: header }
      continue
    }
    if (header.t !== 'need-model')
      throw new SessionRefusedError(name, 'protocol', `'${header.t}' before the session was ready`)
    for (let at = 0; at < o.model.length; at += MODEL_CHUNK_BYTES) {
      const end = Math.min(at + MODEL_CHUNK_BYTES, o.model.length)
      await ch.send({ t: 'model', last: end === o.model.length }, o.model.subarray(at, end), { signal })
    }
  }
}
