import { logger } from '../../log.js'
import { type DroppedMasks, droppedMaskCorrection } from './dropped-masks.js'
import {
  InvalidSecAggMessageError,
  ReconstructionError,
  SecAggStateError,
  TooFewSurvivorsError,
} from './errors.js'
import {
  DEFAULT_SCALE_BITS,
  decodeFixedPoint,
  ringAddInto,
  ringFromBytes,
  ringSubInto,
} from './fixedPoint.js'
import { checkNeighbourhoodThreshold, maskingGraph } from './graph.js'
import { commitSeed, publicKeyOf } from './keys.js'
import { type MaskPool, sharedMaskPool } from './mask-pool.js'
import {
  type AdvertisedKeys,
  advertisedKeysSchema,
  checkRoster,
  MAX_VECTOR_LENGTH,
  type MaskedInput,
  maskedInputSchema,
  parseMessage,
  type RevealedShare,
  type SharedKeys,
  type ShareEnvelope,
  sharedKeysSchema,
  sharePoints,
  type UnmaskRequest,
  type UnmaskResponse,
  unmaskResponseSchema,
} from './messages.js'
import { expandMask } from './prg.js'
import { combineShares } from './shamir.js'

const log = logger('fl:secagg')

/** Configuration of the aggregator of one round. */
export interface AggregatorConfig {
  /** Ids of every holder invited to the round. */
  peers: readonly string[]
  /** Same threshold the holders use. */
  threshold: number
  /** Length of every holder's vector. */
  length: number
  /** Same session id the holders use. Default ''. */
  session?: string
  /** Fixed-point fractional bits (default 16). */
  scaleBits?: number
  /** SecAgg+: the holders' neighbourhood size (same value as theirs). Omitted: the complete graph. */
  degree?: number
}

/** What the aggregator learns: the sum of the survivors' inputs, and who they were. */
export interface AggregateResult {
  /** Σ inputs of the survivors, decoded from fixed point. */
  sum: Float64Array
  /** The same sum in the ring Z/2^32 (what was actually computed). */
  encodedSum: Uint32Array
  /** Holders whose inputs are in the sum (sent a masked input). */
  survivors: string[]
  /** Holders that shared keys but sent no masked input; their pairwise masks were removed. */
  dropped: string[]
}

/** The aggregator's side: `collect*` takes one holder's message, each round-closing call returns what to send. */
export interface SecAggAggregator {
  collectKeys(message: AdvertisedKeys): void
  /** Closes round 0; returns every advertised key (send each holder {@link directoryFor} it). */
  keyDirectory(): AdvertisedKeys[]
  /** After round 0: the keys `holder` needs, its own and its neighbours' (all of them in the complete graph). */
  directoryFor(holder: string): AdvertisedKeys[]
  collectShares(message: SharedKeys): void
  /** Closes round 1; returns, per holder that shared keys, the envelopes addressed to it. */
  routeShares(): Map<string, ShareEnvelope[]>
  collectMaskedInput(message: MaskedInput): void
  /** Closes round 2; returns the request to send to every survivor. */
  unmaskRequest(): UnmaskRequest
  collectUnmask(message: UnmaskResponse): void
  /** Closes round 3: reconstructs the secrets, removes the masks and returns the sum. */
  finish(): AggregateResult
  /**
   * {@link finish} with the dropped holders' pairwise masks removed on worker threads (`pool`, default the
   * process's {@link sharedMaskPool}): the same sum, without blocking the event loop for seconds.
   */
  finishAsync(pool?: MaskPool): Promise<AggregateResult>
}

type Phase = 'keys' | 'shares' | 'masked' | 'unmask' | 'done'

/**
 * Creates the (honest-but-curious) aggregator of one SecAgg round, or of a SecAgg+ round when `degree` is
 * given; it only ever learns the sum.
 */
export function createAggregator(config: AggregatorConfig): SecAggAggregator {
  const roster = checkRoster(config.peers, config.threshold)
  const { threshold, length } = config
  if (!Number.isInteger(length) || length < 1 || length > MAX_VECTOR_LENGTH) {
    throw new InvalidSecAggMessageError(`vector length must be in 1..${MAX_VECTOR_LENGTH}, got ${length}`)
  }
  const session = config.session ?? ''
  const scaleBits = config.scaleBits ?? DEFAULT_SCALE_BITS
  const points = sharePoints(roster)
  const graph = maskingGraph(roster, session, config.degree)
  checkNeighbourhoodThreshold(graph, threshold)
  const near = (a: string, b: string) => a === b || graph.adjacent(a, b)
  let phase: Phase = 'keys'
  const keys = new Map<string, AdvertisedKeys>() // U1
  const shares = new Map<string, SharedKeys>() // U2
  const masked = new Map<string, Uint32Array>() // U3
  const responses = new Map<string, UnmaskResponse>()
  let request: UnmaskRequest = { survivors: [], dropped: [] }

  const expect = (want: Phase, step: string) => {
    if (phase !== want) throw new SecAggStateError(`${step} called in phase '${phase}', expected '${want}'`)
  }
  const once = (seen: Map<string, unknown>, from: string, allowed: (id: string) => boolean, what: string) => {
    if (!allowed(from))
      throw new InvalidSecAggMessageError(`${what} from ${from}, who is not in this round step`)
    if (seen.has(from)) throw new InvalidSecAggMessageError(`second ${what} from ${from}`)
  }
  const atLeast = (n: number, what: string) => {
    if (n < threshold)
      throw new TooFewSurvivorsError(`only ${n} ${what}, threshold is ${threshold}`, {
        metaMessages: [
          'Abandon this round and start a new one (with fresh keys) once enough holders are online.',
        ],
      })
  }

  /**
   * Round 3 up to the dropped holders' pairwise masks: the masked inputs summed, the survivors' self-masks
   * removed (seeds checked against their commitments), and each dropped holder's mask key reconstructed and
   * checked against its public key, with the survivors it paired with.
   */
  const unmask = (step: string): { sum: Uint32Array; dropped: DroppedMasks[] } => {
    expect('unmask', step)
    atLeast(responses.size, 'survivors answered the unmask request')
    const sum = new Uint32Array(length)
    for (const y of masked.values()) ringAddInto(sum, y)
    // each response's shares by owner, indexed once (a complete-graph round has n owners × n responders)
    const index = new Map<RevealedShare[], Map<string, Uint8Array>>()
    const indexed = (r: UnmaskResponse, pick: (r: UnmaskResponse) => RevealedShare[]) => {
      const list = pick(r)
      let byOwner = index.get(list)
      if (!byOwner) {
        byOwner = new Map(list.map((s) => [s.owner, s.y]))
        index.set(list, byOwner)
      }
      return byOwner
    }
    // the shares of `owner`'s secret revealed by the responders of its neighbourhood (every responder when complete)
    const sharesFor = (owner: string, pick: (r: UnmaskResponse) => RevealedShare[]) => {
      const found: { x: number; y: Uint8Array }[] = []
      for (const r of responses.values()) {
        const share = indexed(r, pick).get(owner)
        if (share) found.push({ x: points.get(r.from)!, y: share })
      }
      if (found.length < threshold) {
        throw new TooFewSurvivorsError(
          `only ${found.length} holders answered with shares of ${owner}'s secret, threshold is ${threshold}`,
          { metaMessages: ['Too many of its neighbours dropped: abandon this round and start a new one.'] },
        )
      }
      return found
    }
    for (const owner of request.survivors) {
      const seed = combineShares(
        sharesFor(owner, (r) => r.seedShares),
        threshold,
      )
      if (!equal(commitSeed(session, owner, seed), shares.get(owner)!.seedCommitment)) {
        throw new ReconstructionError(
          `reconstructed self-mask seed of ${owner} does not match its commitment`,
        )
      }
      ringSubInto(sum, expandMask(seed, length))
    }
    const dropped = request.dropped.map((owner): DroppedMasks => {
      const secretKey = combineShares(
        sharesFor(owner, (r) => r.keyShares),
        threshold,
      )
      if (!equal(publicKeyOf(secretKey), keys.get(owner)!.maskPublicKey)) {
        throw new ReconstructionError(`reconstructed mask key of ${owner} does not match its public key`)
      }
      const survivors = request.survivors
        .filter((survivor) => graph.adjacent(owner, survivor)) // SecAgg+: the others never paired
        .map((id) => ({ id, publicKey: keys.get(id)!.maskPublicKey }))
      return { owner, secretKey, survivors }
    })
    phase = 'done'
    return { sum, dropped }
  }
  const result = (sum: Uint32Array): AggregateResult => ({
    sum: decodeFixedPoint(sum, scaleBits),
    encodedSum: sum,
    survivors: [...request.survivors],
    dropped: [...request.dropped],
  })

  return {
    collectKeys(raw) {
      expect('keys', 'collectKeys')
      const m = parseMessage(advertisedKeysSchema, raw, 'advertised keys')
      once(keys, m.from, (h) => points.has(h), 'keys')
      keys.set(m.from, m)
    },
    keyDirectory() {
      expect('keys', 'keyDirectory')
      atLeast(keys.size, 'holders advertised keys')
      phase = 'shares'
      return [...keys.values()]
    },
    directoryFor(holder) {
      if (phase === 'keys') throw new SecAggStateError('directoryFor called before keyDirectory')
      return [...keys.values()].filter((k) => near(holder, k.from))
    },
    collectShares(raw) {
      expect('shares', 'collectShares')
      const m = parseMessage(sharedKeysSchema, raw, 'shared keys')
      once(shares, m.from, (h) => keys.has(h), 'shared keys')
      const targets = new Set<string>()
      for (const e of m.envelopes) {
        if (e.from !== m.from)
          throw new InvalidSecAggMessageError(`envelope from ${e.from} inside ${m.from}'s message`)
        if (!keys.has(e.to) || !graph.adjacent(m.from, e.to) || targets.has(e.to)) {
          throw new InvalidSecAggMessageError(
            `envelope from ${m.from} to unexpected or repeated holder ${e.to}`,
          )
        }
        targets.add(e.to)
      }
      const expected = [...keys.keys()].filter((h) => graph.adjacent(m.from, h)).length
      if (targets.size !== expected) {
        throw new InvalidSecAggMessageError(`${m.from} sent ${targets.size} envelopes, expected ${expected}`)
      }
      shares.set(m.from, m)
    },
    routeShares() {
      expect('shares', 'routeShares')
      atLeast(shares.size, 'holders shared keys')
      const inbox = new Map<string, ShareEnvelope[]>([...shares.keys()].map((h) => [h, []]))
      for (const m of shares.values()) for (const e of m.envelopes) inbox.get(e.to)?.push(e)
      phase = 'masked'
      return inbox
    },
    collectMaskedInput(raw) {
      expect('masked', 'collectMaskedInput')
      const m = parseMessage(maskedInputSchema, raw, 'masked input')
      once(masked, m.from, (h) => shares.has(h), 'masked input')
      if (m.masked.length !== 4 * length) {
        throw new InvalidSecAggMessageError(
          `masked input from ${m.from} has ${m.masked.length} bytes, expected ${4 * length}`,
        )
      }
      masked.set(m.from, ringFromBytes(m.masked))
    },
    unmaskRequest() {
      expect('masked', 'unmaskRequest')
      atLeast(masked.size, 'holders sent masked inputs')
      const survivors = [...masked.keys()].sort()
      const dropped = [...shares.keys()].filter((h) => !masked.has(h)).sort()
      request = { survivors, dropped }
      phase = 'unmask'
      log.debug({ survivors: survivors.length, dropped: dropped.length }, 'unmask requested')
      return { survivors: [...survivors], dropped: [...dropped] }
    },
    collectUnmask(raw) {
      expect('unmask', 'collectUnmask')
      const m = parseMessage(unmaskResponseSchema, raw, 'unmask response')
      once(responses, m.from, (h) => masked.has(h), 'unmask response')
      const mine = (owners: string[]) => owners.filter((o) => near(m.from, o) && shares.has(o))
      checkOwners(m.seedShares, mine(request.survivors), `seed shares from ${m.from}`)
      checkOwners(m.keyShares, mine(request.dropped), `key shares from ${m.from}`)
      responses.set(m.from, m)
    },
    finish() {
      const { sum, dropped } = unmask('finish')
      ringAddInto(sum, droppedMaskCorrection(dropped, session, length))
      return result(sum)
    },
    async finishAsync(pool = sharedMaskPool()) {
      const { sum, dropped } = unmask('finishAsync')
      ringAddInto(sum, await pool.correction(dropped, session, length))
      return result(sum)
    },
  }
}

function checkOwners(list: readonly RevealedShare[], expected: readonly string[], what: string): void {
  const owners = list.map((s) => s.owner).sort()
  if (owners.length !== expected.length || owners.some((o, i) => o !== expected[i])) {
    throw new InvalidSecAggMessageError(
      `${what} do not cover exactly the holders named in the unmask request`,
    )
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
