import { InvalidInputError } from '../errors.js'
import { decodeTensors, encodeTensorParts } from '../exec/tensor-codec.js'
import type { Logger } from '../log.js'
import { type Channel, channel } from '../net/channel.js'
import type { Host } from '../net/host.js'
import {
  MAX_STREAM_HEADER_BYTES,
  MODEL_CHUNK_BYTES,
  ModelChunkMsg,
  StreamOpenMsg,
  ToStreamProviderMsg,
} from '../protocols/stream-messages.js'
import type { BlobStore } from '../store/blob-store.js'
import { openLocalSession, type StreamSession } from '../stream/local-session.js'
import { SessionBill } from './session-bill.js'
import { agreeOnSession, Refusal, type StreamPay } from './stream-agreement.js'
import type { ProviderTerms, WorkGate } from './types.js'

/** Components of the stream server. */
export interface StreamServerComponents {
  host: Host
  terms: ProviderTerms
  gate: WorkGate
  blobs: BlobStore
  log: Logger
  /** A session without a sample for this long is closed (default 60 s). */
  idleMs?: number
  /** Paid sessions: terms, agreement, receipts and vouchers; absent = sessions are served free. */
  pay?: StreamPay
}

/** Live counters of the stream server. */
export interface StreamServerStats {
  /** Sessions open now. */
  open: number
  /** Samples answered, all sessions together. */
  samples: number
  /** Sessions refused or stopped (busy, model too large or not loadable, no acceptable payment). */
  refused: number
  /** Models received from requesters (a model already in the store is not sent again). */
  modelsReceived: number
}

/** How long a requester may take to fund an escrow and send the session's agreement (two transactions). */
const AGREE_TIMEOUT_MS = 60_000
/** How long a requester may take to open a session or send a model chunk. */
const OPEN_TIMEOUT_MS = 15_000

/**
 * Serve `/mutirao/stream/1`: streaming inference sessions. Each session holds its model loaded (fetched
 * from the requester once, kept in the blob store), answers samples in order with their outputs, feeds
 * state back for stateful models, and answers a sample the model cannot take with a `bad-input` error
 * (the session goes on). At most `terms.threads` sessions run at once, none while the work gate is shut.
 */
export async function serveStreams(c: StreamServerComponents): Promise<StreamServerStats> {
  const stats: StreamServerStats = { open: 0, samples: 0, refused: 0, modelsReceived: 0 }
  const idleMs = c.idleMs ?? 60_000
  const limits = {
    maxHeaderBytes: MAX_STREAM_HEADER_BYTES,
    maxBodyBytes: Math.max(MODEL_CHUNK_BYTES, c.terms.maxTaskBytes),
  }
  await c.host.handle(
    c.host.services.wire.protocols.stream,
    async (stream, connection) => {
      const ch = channel(stream, limits)
      const peer = connection.remotePeer.toString()
      let session: OpenSession | undefined
      let bill: SessionBill | undefined
      let served = 0
      let idle: NodeJS.Timeout | undefined
      stats.open++
      try {
        const opened = await open(c, ch, stats)
        session = opened
        const agreed =
          c.pay &&
          (await agreeOnSession(
            c.pay,
            ch,
            { requester: peer, ...opened.paid },
            AbortSignal.timeout(AGREE_TIMEOUT_MS),
          ))
        if (agreed) bill = new SessionBill(c.pay!, agreed.agreement, opened.paid.costPerSample)
        await ch.send({ t: 'ready', ...(agreed && { providerSig: agreed.providerSig }) })
        // one idle timer, pushed back on every sample (a timer per sample costs more than the inference)
        idle = setTimeout(() => ch.abort(new Error(`no sample for ${idleMs} ms`)), idleMs)
        for (;;) {
          const { header, body } = await ch.recv(ToStreamProviderMsg)
          idle.refresh()
          if (header.t === 'voucher') {
            if (bill) void ch.send(await bill.voucher(header)).catch(() => {})
            continue
          }
          if (header.t === 'end') {
            bill?.end()
            void ch.send({ t: 'ended', samples: served }).catch(() => {})
            continue
          }
          bill?.check()
          try {
            const sample = decodeTensors(body, { maxTotalBytes: c.terms.maxTaskBytes })
            const out = encodeTensorParts(await opened.local.infer(sample))
            served++
            stats.samples++
            bill?.answered(body, out)
            void ch.send({ t: 'out', seq: header.seq }, out).catch(() => {})
          } catch (err) {
            const code = err instanceof InvalidInputError ? 'bad-input' : 'internal'
            void ch
              .send({ t: 'error', seq: header.seq, code, message: (err as Error).message })
              .catch(() => {})
          }
        }
      } catch (err) {
        if (err instanceof Refusal) {
          stats.refused++
          c.log.info({ peer, code: err.code, reason: err.message }, 'stream session refused')
          await ch.send({ t: 'error', code: err.code, message: err.message }).catch(() => {})
          await ch.close().catch(() => {})
        } else ch.abort(err as Error)
      } finally {
        clearTimeout(idle)
        stats.open--
        bill?.closed()
        await session?.local.close().catch(() => {})
        if (session) c.log.info({ peer, samples: served, paid: Boolean(bill) }, 'stream session closed')
      }
    },
    { runOnLimitedConnection: true },
  )
  return stats
}

/** A session being opened: its model loaded, and what an agreement for it must name. */
interface OpenSession {
  local: StreamSession
  paid: { modelHash: string; costPerSample: number }
}

/** Read the `open` request, fetch the model if needed, and load it; refusals name their reason. */
async function open(c: StreamServerComponents, ch: Channel, stats: StreamServerStats): Promise<OpenSession> {
  const signal = AbortSignal.timeout(OPEN_TIMEOUT_MS)
  const { header, body } = await ch.recv(StreamOpenMsg, { signal })
  if (!c.terms.kinds.includes('onnx-inference'))
    throw new Refusal('model', 'this provider runs no ONNX models')
  if (!c.gate.accepting())
    throw new Refusal('busy', 'the provider is not taking work now (its owner uses it)')
  if (stats.open > c.terms.threads)
    throw new Refusal('busy', `the provider serves ${c.terms.threads} sessions at once, all taken`)
  if (header.modelBytes > c.terms.maxModelBytes)
    throw new Refusal(
      'too-large',
      `the model is ${header.modelBytes} bytes, over this provider's limit of ${c.terms.maxModelBytes}`,
    )
  if (!c.blobs.has(header.modelHash)) {
    await receiveModel(c, ch, header.modelHash, header.modelBytes, signal)
    stats.modelsReceived++
  }
  const model = await c.blobs.get(header.modelHash)
  try {
    const state = body.length ? decodeTensors(body, { maxTotalBytes: c.terms.maxTaskBytes }) : undefined
    const local = await openLocalSession(model, { feedback: header.feedback, state })
    return {
      local,
      paid: { modelHash: header.modelHash, costPerSample: local.model.cost },
    }
  } catch (err) {
    throw new Refusal(err instanceof InvalidInputError ? 'bad-input' : 'model', (err as Error).message)
  }
}

/** Ask for the model and take its chunks; the store checks the bytes against the hash. */
async function receiveModel(
  c: StreamServerComponents,
  ch: Channel,
  hash: string,
  size: number,
  signal: AbortSignal,
): Promise<void> {
  await ch.send({ t: 'need-model' })
  const bytes = new Uint8Array(size)
  let at = 0
  for (;;) {
    const { header, body } = await ch.recv(ModelChunkMsg, { signal })
    if (at + body.length > size) throw new Refusal('bad-input', 'the model is longer than announced')
    bytes.set(body, at)
    at += body.length
    if (header.last) break
  }
  if (at !== size) throw new Refusal('bad-input', `the model is ${at} bytes, ${size} announced`)
  try {
    await c.blobs.putVerified(hash, bytes)
  } catch (err) {
    throw new Refusal('bad-input', (err as Error).message)
  }
}
