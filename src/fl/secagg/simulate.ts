import { type AggregateResult, createAggregator } from './aggregator.js'
import { createHolder } from './holder.js'
import type { MaskPool } from './mask-pool.js'

/** One simulated round: inputs per holder, and who drops out when. */
export interface SimulatedRound {
  inputs: ReadonlyMap<string, ArrayLike<number>>
  threshold: number
  session?: string
  scaleBits?: number
  /** SecAgg+ neighbourhood size; omitted: the complete graph (see `maskingGraph`). */
  degree?: number
  /** Holders that go silent after advertising keys (round 0). */
  dropAfterKeys?: readonly string[]
  /** Holders that go silent after sharing their keys (round 1), before sending a masked input. */
  dropAfterShares?: readonly string[]
  /** Holders that send a masked input but never answer the unmask request. */
  dropBeforeUnmask?: readonly string[]
}

/** Outcome of {@link runSecAggRound}: the aggregate, and the payload bytes each party sent. */
export interface SimulatedOutcome extends AggregateResult {
  /** Bytes each holder sent, over all rounds. */
  bytesSentByHolder: Map<string, number>
  /** Bytes the aggregator sent (key directories, routed envelopes, unmask requests). */
  bytesSentByAggregator: number
  /** CPU milliseconds each holder spent in its protocol steps (input encoding included). */
  msByHolder: Map<string, number>
  /** CPU milliseconds the aggregator spent (collecting, routing, unmasking). */
  msByAggregator: number
  /**
   * The round's critical path had the holders run in parallel: per step, the slowest holder's CPU time plus
   * the aggregator's (the network's latency and bandwidth are not modelled).
   */
  wallMs: number
}

/**
 * Payload bytes of a message: byte arrays at their length, strings as UTF-8, containers summed. A binary
 * codec adds a few bytes of framing per field on top.
 */
export function payloadBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.length
  if (typeof value === 'string') return Buffer.byteLength(value)
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + payloadBytes(v), 0)
  if (value && typeof value === 'object')
    return Object.values(value).reduce((n: number, v) => n + payloadBytes(v), 0)
  return 0
}

/**
 * Runs every party of one SecAgg round in this process, passing the messages as a network would, with the
 * requested dropouts. For tests, simulations and benchmarks; a real deployment sends the same messages.
 */
export function runSecAggRound(round: SimulatedRound): SimulatedOutcome {
  const r = playRound(round)
  return r.outcome(r.timed(null, () => r.aggregator.finish()))
}

/**
 * {@link runSecAggRound} with the aggregator's last step as a node runs it (`finishAsync`: the dropped
 * holders' masks removed on `pool`'s worker threads), that step timed by the wall clock.
 */
export async function runSecAggRoundAsync(round: SimulatedRound, pool?: MaskPool): Promise<SimulatedOutcome> {
  const r = playRound(round)
  const t0 = performance.now()
  const result = await r.aggregator.finishAsync(pool)
  r.timed(null, () => undefined, performance.now() - t0)
  return r.outcome(result)
}

/** Every step of a round up to the aggregator's last; `outcome` adds what was sent and timed to its result. */
function playRound(round: SimulatedRound) {
  const peers = [...round.inputs.keys()]
  const length = round.inputs.values().next().value?.length ?? 0
  const common = {
    threshold: round.threshold,
    session: round.session,
    scaleBits: round.scaleBits,
    degree: round.degree,
  }
  const ms = new Map(peers.map((id) => [id, 0]))
  let aggregatorMs = 0
  let wallMs = 0
  const stepMs = new Map<string, number>() // each holder's CPU time in the current step
  /** Run `f` as `who` (null: the aggregator), adding its time (or `extraMs`, time spent elsewhere) to theirs. */
  const timed = <T>(who: string | null, f: () => T, extraMs = 0): T => {
    const t0 = performance.now()
    const out = f()
    const dt = performance.now() - t0 + extraMs
    if (who === null) {
      aggregatorMs += dt
      wallMs += dt
    } else {
      ms.set(who, ms.get(who)! + dt)
      stepMs.set(who, (stepMs.get(who) ?? 0) + dt)
    }
    return out
  }
  const endStep = () => {
    wallMs += Math.max(0, ...stepMs.values())
    stepMs.clear()
  }
  const holders = peers.map((id) =>
    timed(id, () => createHolder({ id, input: round.inputs.get(id)!, peers, ...common })),
  )
  const aggregator = timed(null, () => createAggregator({ peers, length, ...common }))
  const sent = new Map(peers.map((id) => [id, 0]))
  let aggregatorSent = 0
  const send = (from: string, message: unknown) => {
    sent.set(from, sent.get(from)! + payloadBytes(message))
    return message as never
  }
  const gone = new Set<string>()

  for (const h of holders) {
    const m = send(
      h.id,
      timed(h.id, () => h.advertiseKeys()),
    )
    timed(null, () => aggregator.collectKeys(m))
  }
  endStep()
  for (const id of round.dropAfterKeys ?? []) gone.add(id)
  timed(null, () => aggregator.keyDirectory())
  const alive = () => holders.filter((h) => !gone.has(h.id))
  for (const h of alive()) {
    const directory = timed(null, () => aggregator.directoryFor(h.id))
    aggregatorSent += payloadBytes(directory)
    const m = send(
      h.id,
      timed(h.id, () => h.shareKeys(directory)),
    )
    timed(null, () => aggregator.collectShares(m))
  }
  endStep()
  for (const id of round.dropAfterShares ?? []) gone.add(id)
  const inboxes = timed(null, () => aggregator.routeShares())
  for (const h of alive()) {
    const inbox = inboxes.get(h.id) ?? []
    aggregatorSent += payloadBytes(inbox)
    const m = send(
      h.id,
      timed(h.id, () => h.maskedInput(inbox)),
    )
    timed(null, () => aggregator.collectMaskedInput(m))
  }
  endStep()
  for (const id of round.dropBeforeUnmask ?? []) gone.add(id)
  const request = timed(null, () => aggregator.unmaskRequest())
  for (const h of alive()) {
    aggregatorSent += payloadBytes(request)
    const m = send(
      h.id,
      timed(h.id, () => h.unmask(request)),
    )
    timed(null, () => aggregator.collectUnmask(m))
  }
  endStep()
  const outcome = (result: AggregateResult): SimulatedOutcome => ({
    ...result,
    bytesSentByHolder: sent,
    bytesSentByAggregator: aggregatorSent,
    msByHolder: ms,
    msByAggregator: aggregatorMs,
    wallMs,
  })
  return { aggregator, timed, outcome }
}
