import { firstLine } from '../../errors.js'
import { logger } from '../../log.js'
import { createAggregator } from '../secagg/aggregator.js'
import { plusDegree, plusThreshold } from '../secagg/graph.js'
import { fromB64, toB64, weightsToBytes } from './codec.js'
import { FlRoundFailedError } from './errors.js'
import { participantOf, type RoundInput, type RoundResult } from './round-types.js'
import type { HolderSession } from './session.js'

const log = logger('fl:coordinator')

/** The default Shamir threshold of a SecAgg round of `n` holders: a strict majority. */
export const defaultThreshold = (n: number) => Math.floor(n / 2) + 1

/**
 * One round under secure aggregation, every SecAgg message routed through the coordinator. Each holder
 * inputs `[c·(w − g), c]` with `c = numSamples / weightScale` (1 under DP), so the coordinator learns only
 * Σc(w−g) and Σc and sets `g' = g + Σc(w−g) / Σc` (FedAvg). Holders silent at a step are dropped;
 * those that dropped after sharing keys have their masks removed from the Shamir shares of the others.
 */
export async function runSecAggRound(input: RoundInput): Promise<RoundResult> {
  const { spec, round, attempt, global, deadline } = input
  const sa = spec.secureAggregation!
  const d = global.length
  const peers = input.sessions.map((s) => s.peer).sort()
  const degree = sa.degree === 'auto' ? plusDegree(peers.length) : sa.degree
  const sparse = degree !== undefined && degree < peers.length - 1
  const threshold = sa.threshold ?? (sparse ? plusThreshold(degree) : defaultThreshold(peers.length))
  if (peers.length < 2 || threshold > peers.length || peers.length < spec.minParticipants) {
    throw new FlRoundFailedError(
      `Round ${round}: ${peers.length} holders online, SecAgg needs ${Math.max(threshold, spec.minParticipants)}`,
    )
  }
  const bySession = new Map(input.sessions.map((s) => [s.peer, s]))
  const session = `${spec.id}:${round}:${attempt}`
  const graph = sparse ? { degree } : {}
  const agg = createAggregator({ peers, threshold, length: d + 1, session, ...graph })
  const base = { job: spec.id, round, attempt }
  const roundMsg = {
    t: 'round',
    ...base,
    deadline,
    preprocessing: input.preprocessing,
    secagg: { peers, threshold, session, ...graph },
  }
  await Promise.all(input.sessions.map((s) => s.send(roundMsg, weightsToBytes(global))))

  const step = async <M>(
    who: HolderSession[],
    type: Parameters<HolderSession['expect']>[0],
    until: number,
    take: (s: HolderSession, m: M) => void,
  ) => {
    const got = await Promise.all(who.map((s) => s.expect(type, until)))
    got.forEach((m, i) => {
      if (!m) return
      try {
        take(who[i], m as M)
      } catch (err) {
        log.warn({ peer: who[i].peer, type, err: (err as Error).message }, 'invalid SecAgg message discarded')
      }
    })
  }
  const stepDeadline = () => Date.now() + sa.stepTimeoutMs
  const fail = (err: unknown): never => {
    throw new FlRoundFailedError(`Round ${round}: secure aggregation failed: ${firstLine(err)}`, {
      cause: err,
    })
  }
  try {
    await step<{ header: { keys: { from: string; maskPublicKey: string; encryptionPublicKey: string } } }>(
      input.sessions,
      'sa-keys',
      deadline,
      (s, m) => {
        if (m.header.keys.from !== s.peer) throw new Error('keys name another holder')
        agg.collectKeys({
          from: s.peer,
          maskPublicKey: fromB64(m.header.keys.maskPublicKey),
          encryptionPublicKey: fromB64(m.header.keys.encryptionPublicKey),
        })
      },
    )
    const u1 = agg.keyDirectory().map((k) => bySession.get(k.from)!)
    // each holder gets its neighbourhood's keys (everyone's in the complete graph)
    const directoryFor = (peer: string) =>
      agg.directoryFor(peer).map((k) => ({
        from: k.from,
        maskPublicKey: toB64(k.maskPublicKey),
        encryptionPublicKey: toB64(k.encryptionPublicKey),
      }))
    await Promise.all(u1.map((s) => s.send({ t: 'sa-directory', ...base, keys: directoryFor(s.peer) })))
    type Env = { from: string; to: string; nonce: string; ciphertext: string }
    await step<{ header: { seedCommitment: string; envelopes: Env[] } }>(
      u1,
      'sa-shares',
      stepDeadline(),
      (s, m) =>
        agg.collectShares({
          from: s.peer,
          seedCommitment: fromB64(m.header.seedCommitment),
          envelopes: m.header.envelopes.map((e) => ({
            from: e.from,
            to: e.to,
            nonce: fromB64(e.nonce),
            ciphertext: fromB64(e.ciphertext),
          })),
        }),
    )
    const inboxes = agg.routeShares()
    const u2 = [...inboxes.keys()].map((p) => bySession.get(p)!)
    await Promise.all(
      u2.map((s) => {
        const envelopes = inboxes
          .get(s.peer)!
          .map((e) => ({ from: e.from, to: e.to, nonce: toB64(e.nonce), ciphertext: toB64(e.ciphertext) }))
        return s.send({ t: 'sa-inbox', ...base, envelopes })
      }),
    )
    const masked = new Map<string, { header: Parameters<typeof participantOf>[1] & { loss: number } }>()
    await step<{ header: Parameters<typeof participantOf>[1] & { loss: number }; body: Uint8Array }>(
      u2,
      'sa-masked',
      stepDeadline(),
      (s, m) => {
        agg.collectMaskedInput({ from: s.peer, masked: m.body })
        masked.set(s.peer, m)
      },
    )
    const request = agg.unmaskRequest()
    const u3 = request.survivors.map((p) => bySession.get(p)!)
    await Promise.all(u3.map((s) => s.send({ t: 'sa-unmask-request', ...base, ...request })))
    type Share = { owner: string; y: string }
    await step<{ header: { seedShares: Share[]; keyShares: Share[] } }>(
      u3,
      'sa-unmask',
      stepDeadline(),
      (s, m) =>
        agg.collectUnmask({
          from: s.peer,
          seedShares: m.header.seedShares.map((x) => ({ owner: x.owner, y: fromB64(x.y) })),
          keyShares: m.header.keyShares.map((x) => ({ owner: x.owner, y: fromB64(x.y) })),
        }),
    )
    const result = await agg.finishAsync()
    const total = result.sum[d]
    if (!(total > 0)) throw new Error(`sum of holder weights is ${total}`)
    const weights = Float32Array.from(global, (g, i) => g + result.sum[i] / total)
    const participants = result.survivors.map((p) => participantOf(p, masked.get(p)!.header))
    if (participants.length < spec.minParticipants)
      throw new Error(`${participants.length} survivors, need ${spec.minParticipants}`)
    const meanLoss =
      result.survivors.reduce((a, p) => a + masked.get(p)!.header.loss, 0) / result.survivors.length
    log.debug(
      { round, survivors: result.survivors.length, dropped: result.dropped.length },
      'secure aggregate',
    )
    return { weights, participants, meanLoss, dropped: result.dropped }
  } catch (err) {
    if (err instanceof FlRoundFailedError) throw err
    return fail(err)
  }
}
