import { randomBytes } from '@noble/hashes/utils.js'
import { logger } from '../../log.js'
import { InvalidSecAggMessageError, SecAggStateError, TooFewSurvivorsError } from './errors.js'
import { encodeFixedPoint, ringAddInto, ringSubInto, ringToBytes } from './fixedPoint.js'
import { checkNeighbourhoodThreshold, maskingGraph } from './graph.js'
import { agree, commitSeed, deriveMaskSeed, generateKeyPair, openEnvelope, sealEnvelope } from './keys.js'
import {
  type AdvertisedKeys,
  advertisedKeysSchema,
  checkRoster,
  type MaskedInput,
  parseMessage,
  type SharedKeys,
  type ShareEnvelope,
  shareEnvelopeSchema,
  sharePoints,
  type UnmaskRequest,
  type UnmaskResponse,
  unmaskRequestSchema,
} from './messages.js'
import { expandMask } from './prg.js'
import { SHAMIR_SHARE_BYTES, splitSecret } from './shamir.js'

const log = logger('fl:secagg')

/** Configuration of one data holder in one secure-aggregation round. */
export interface HolderConfig {
  /** This holder's id (e.g. its libp2p peer id). */
  id: string
  /** The holder's private vector (e.g. a clipped model update); encoded in fixed point at creation. */
  input: ArrayLike<number>
  /** Shares needed to reconstruct a secret; the round fails below this many survivors. */
  threshold: number
  /** Ids of every holder in the round, this one included. */
  peers: readonly string[]
  /** Round/session id bound into every derived key; must be fresh per round. Default ''. */
  session?: string
  /** Fixed-point fractional bits (default 16). */
  scaleBits?: number
  /**
   * SecAgg+: pair with, and share secrets among, only this many neighbours (even; see {@link maskingGraph}).
   * Omitted: the complete graph (every holder pairs with every other). Every party must use the same value.
   */
  degree?: number
}

/** One data holder's side of the protocol; each method is one round and returns the message to send. */
export interface SecAggHolder {
  readonly id: string
  /** Round 0: this holder's mask and encryption public keys. */
  advertiseKeys(): AdvertisedKeys
  /** Round 1: given everyone's keys (from the aggregator), Shamir-share b and the mask key, encrypted per peer. */
  shareKeys(peerKeys: readonly AdvertisedKeys[]): SharedKeys
  /** Round 2: given the envelopes addressed to this holder, the masked input. */
  maskedInput(inbox: readonly ShareEnvelope[]): MaskedInput
  /** Round 3 (once only): the shares that let the aggregator remove the masks. */
  unmask(request: UnmaskRequest): UnmaskResponse
}

type Phase = 'new' | 'advertised' | 'shared' | 'masked' | 'done'

/**
 * Creates a holder for one round of SecAgg (Bonawitz et al. 2017, honest-but-curious variant), or of SecAgg+
 * (Bell et al. 2020) when `degree` is given: then every step involves only the holder's neighbours.
 *
 * @example
 * const h = createHolder({ id: 'a', input: update, threshold: 2, peers: ['a', 'b', 'c'] })
 * send(h.advertiseKeys()) // then h.shareKeys(dir), h.maskedInput(inbox), h.unmask(request)
 */
export function createHolder(config: HolderConfig): SecAggHolder {
  const roster = checkRoster(config.peers, config.threshold)
  const { id, threshold } = config
  if (!roster.includes(id)) throw new InvalidSecAggMessageError(`holder ${id} is not in its own peer list`)
  const session = config.session ?? ''
  const graph = maskingGraph(roster, session, config.degree)
  checkNeighbourhoodThreshold(graph, threshold)
  const near = (peer: string) => peer === id || graph.adjacent(id, peer)
  const points = sharePoints(roster)
  const encoded = encodeFixedPoint(config.input, { holders: roster.length, scaleBits: config.scaleBits })
  const maskKeys = generateKeyPair()
  const encKeys = generateKeyPair()
  const selfSeed = randomBytes(32)
  let phase: Phase = 'new'
  const keysOf = new Map<string, AdvertisedKeys>()
  const seedShareOf = new Map<string, Uint8Array>() // shares this holder holds of each peer's b
  const keyShareOf = new Map<string, Uint8Array>() // shares this holder holds of each peer's mask key
  let maskedWith: string[] = [] // U2 as seen by this holder, itself included
  const channels = new Map<string, Uint8Array>() // X25519 secrets of the encryption keys, computed once per peer
  const channel = (peer: string) => {
    let shared = channels.get(peer)
    if (!shared) {
      shared = agree(encKeys.secretKey, keysOf.get(peer)!.encryptionPublicKey)
      channels.set(peer, shared)
    }
    return shared
  }

  const expect = (want: Phase, step: string) => {
    if (phase !== want) throw new SecAggStateError(`${step} called in phase '${phase}', expected '${want}'`)
  }

  return {
    id,
    advertiseKeys() {
      expect('new', 'advertiseKeys')
      phase = 'advertised'
      return { from: id, maskPublicKey: maskKeys.publicKey, encryptionPublicKey: encKeys.publicKey }
    },

    shareKeys(peerKeys) {
      expect('advertised', 'shareKeys')
      for (const raw of peerKeys) {
        const k = parseMessage(advertisedKeysSchema, raw, 'advertised keys')
        if (!points.has(k.from)) throw new InvalidSecAggMessageError(`keys from unknown holder ${k.from}`)
        if (keysOf.has(k.from)) throw new InvalidSecAggMessageError(`keys from ${k.from} listed twice`)
        if (near(k.from)) keysOf.set(k.from, k) // SecAgg+: a non-neighbour's keys are not this holder's business
      }
      const own = keysOf.get(id)
      if (
        !own ||
        !equal(own.maskPublicKey, maskKeys.publicKey) ||
        !equal(own.encryptionPublicKey, encKeys.publicKey)
      ) {
        throw new InvalidSecAggMessageError(`the key directory does not carry holder ${id}'s own keys`)
      }
      if (keysOf.size < threshold) {
        throw new TooFewSurvivorsError(
          `only ${keysOf.size} holders${graph.complete ? '' : ` of ${id}'s neighbourhood`} advertised keys, threshold is ${threshold}`,
        )
      }
      const members = [...keysOf.keys()].sort()
      const xs = members.map((m) => points.get(m)!)
      const seedShares = splitSecret(selfSeed, xs, threshold)
      const keyShares = splitSecret(maskKeys.secretKey, xs, threshold)
      const envelopes: ShareEnvelope[] = []
      members.forEach((to, i) => {
        if (to === id) {
          seedShareOf.set(id, seedShares[i])
          keyShareOf.set(id, keyShares[i])
          return
        }
        const plaintext = new Uint8Array(2 * SHAMIR_SHARE_BYTES)
        plaintext.set(seedShares[i], 0)
        plaintext.set(keyShares[i], SHAMIR_SHARE_BYTES)
        const ctx = { session, from: id, to }
        envelopes.push({
          from: id,
          to,
          ...sealEnvelope(channel(to), ctx, plaintext),
        })
      })
      phase = 'shared'
      return { from: id, seedCommitment: commitSeed(session, id, selfSeed), envelopes }
    },

    maskedInput(inbox) {
      expect('shared', 'maskedInput')
      for (const raw of inbox) {
        const e = parseMessage(shareEnvelopeSchema, raw, 'share envelope')
        if (e.to !== id) throw new InvalidSecAggMessageError(`envelope for ${e.to} routed to ${id}`)
        const sender = keysOf.get(e.from)
        if (!sender || e.from === id)
          throw new InvalidSecAggMessageError(`envelope from unexpected holder ${e.from}`)
        if (seedShareOf.has(e.from)) throw new InvalidSecAggMessageError(`two envelopes from ${e.from}`)
        const ctx = { session, from: e.from, to: id }
        const plain = openEnvelope(channel(e.from), ctx, e.nonce, e.ciphertext)
        seedShareOf.set(e.from, plain.slice(0, SHAMIR_SHARE_BYTES))
        keyShareOf.set(e.from, plain.slice(SHAMIR_SHARE_BYTES))
      }
      maskedWith = [...seedShareOf.keys()].sort()
      if (maskedWith.length < threshold) {
        throw new TooFewSurvivorsError(
          `only ${maskedWith.length} holders${graph.complete ? '' : ` of ${id}'s neighbourhood`} shared keys, threshold is ${threshold}`,
        )
      }
      const y = encoded.slice()
      ringAddInto(y, expandMask(selfSeed, y.length))
      for (const peer of maskedWith) {
        if (peer === id) continue
        const seed = deriveMaskSeed(maskKeys.secretKey, keysOf.get(peer)!.maskPublicKey, {
          session,
          a: id,
          b: peer,
        })
        const mask = expandMask(seed, y.length)
        if (id < peer) ringAddInto(y, mask)
        else ringSubInto(y, mask)
      }
      phase = 'masked'
      log.debug({ id, peers: maskedWith.length }, 'masked input ready')
      return { from: id, masked: ringToBytes(y) }
    },

    unmask(request) {
      expect('masked', 'unmask')
      const { survivors, dropped } = parseMessage(unmaskRequestSchema, request, 'unmask request')
      const inU2 = new Set(maskedWith)
      const seen = new Set<string>()
      for (const h of [...survivors, ...dropped]) {
        // SecAgg+: holders outside the neighbourhood are named too; this holder holds none of their shares
        if (!inU2.has(h) && (graph.complete || near(h) || !points.has(h)))
          throw new InvalidSecAggMessageError(`unmask request names ${h}, which did not share keys`)
        if (seen.has(h))
          throw new InvalidSecAggMessageError(
            `unmask request names ${h} twice or as both survivor and dropped`,
          )
        seen.add(h)
      }
      if (maskedWith.some((h) => !seen.has(h))) {
        throw new InvalidSecAggMessageError(
          'unmask request does not account for every holder that shared keys',
        )
      }
      if (!survivors.includes(id))
        throw new InvalidSecAggMessageError(`unmask request does not list ${id} as a survivor`)
      const nearSurvivors = survivors.filter((h) => inU2.has(h))
      if (nearSurvivors.length < threshold) {
        throw new TooFewSurvivorsError(
          `only ${nearSurvivors.length} survivors${graph.complete ? '' : ` in ${id}'s neighbourhood`}, threshold is ${threshold}`,
        )
      }
      phase = 'done' // never answer twice: two answers could reveal both b and the mask key of one holder
      return {
        from: id,
        seedShares: nearSurvivors.map((owner) => ({ owner, y: seedShareOf.get(owner)! })),
        keyShares: dropped.filter((h) => inU2.has(h)).map((owner) => ({ owner, y: keyShareOf.get(owner)! })),
      }
    },
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}
