import { publicKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPublicKey } from '@libp2p/peer-id'
import { hexToBytes } from '@noble/hashes/utils.js'
import { z } from 'zod'
import { InvalidInputError, MessageTooLargeError } from '../errors.js'
import {
  type AggregateReputation,
  type Attestation,
  aggregateAttestations,
  attestationSchema,
  MAX_ATTESTATION_BYTES,
  verifyAttestation,
} from '../verify/attestation.js'
import { type ReputationRecord, reputationScore } from '../verify/reputation.js'
import type { SeenByOthers } from '../verify/seen-by-others.js'

export type { SeenByOthers }

/** Most attestations in one gossip message. */
export const MAX_ATTESTATIONS_PER_MESSAGE = 16
/** Largest gossip message of attestations accepted. */
export const MAX_ATTESTATION_MESSAGE_BYTES = MAX_ATTESTATIONS_PER_MESSAGE * MAX_ATTESTATION_BYTES + 256
/** Most registry lookups in flight; attestations of unknown attesters beyond it are dropped. */
const MAX_PENDING_LOOKUPS = 32
/** Own events at which a node's own record fully replaces what others attest. */
export const OWN_CONFIDENT_EVENTS = 10

/** Schema of a gossip message on `mutirao/reputation/2`. */
export const attestationMessageSchema = z.object({
  v: z.literal(1),
  attestations: z.array(attestationSchema).min(1).max(MAX_ATTESTATIONS_PER_MESSAGE),
})

/**
 * Parses a gossip message of attestations: size limit first, then JSON and schema.
 * @throws MessageTooLargeError | InvalidInputError
 */
export function parseAttestationMessage(bytes: Uint8Array): Attestation[] {
  if (bytes.length > MAX_ATTESTATION_MESSAGE_BYTES)
    throw new MessageTooLargeError(
      `attestation message of ${bytes.length} bytes exceeds ${MAX_ATTESTATION_MESSAGE_BYTES}`,
    )
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder().decode(bytes))
  } catch (e) {
    throw new InvalidInputError('attestation message is not JSON', { cause: e })
  }
  const parsed = attestationMessageSchema.safeParse(json)
  if (!parsed.success) throw new InvalidInputError(`invalid attestation message: ${parsed.error.message}`)
  return parsed.data.attestations
}

/** The libp2p peer id of an attester's ed25519 public key (hex), or undefined if it is not a key. */
export function attesterPeerId(attesterHex: string): string | undefined {
  try {
    return peerIdFromPublicKey(publicKeyFromRaw(hexToBytes(attesterHex))).toString()
  } catch {
    return undefined
  }
}

/** Options of an {@link AttestationPool}. */
export interface AttestationPoolOptions {
  /** This node's peer id: attestations by it (echoes) and about it are ignored. */
  self: string
  /** Stake bound to a peer id on the ProviderRegistry (0 when unregistered). */
  stakeOfPeer: (peerId: string) => Promise<bigint>
  /** How long a stake lookup is trusted. Default 60 s. */
  stakeTtlMs?: number
  /** Most (attester, provider) entries kept. Default 4096. */
  maxEntries?: number
  /** Attestations older than this are dropped. Default 7 days. */
  maxAgeMs?: number
  /** Tolerated clock skew. Default 5 minutes. */
  maxSkewMs?: number
  now?: () => number
}

/** What others attest about a provider, and how it blends with one's own record. */
export interface ProviderReputation {
  /** This node's own score (0.5 when it has no history). */
  own: number
  /** Own events (valid, invalid, timeout) behind `own`. */
  ownEvents: number
  /** Stake-weighted mean of attested scores, or null when no staked attester spoke. */
  attested: number | null
  /** Staked attesters behind `attested`. */
  attesters: number
  /** Total stake behind `attested` (token base units, decimal string). */
  attestedStake: string
  /** The score used for provider selection. */
  effective: number
}

/**
 * Blends one's own score with the attested one. With no own history the attested score is used as is;
 * with `n` own events the own score weighs at least half and `0.5 + n / (2 × OWN_CONFIDENT_EVENTS)`, and
 * alone from {@link OWN_CONFIDENT_EVENTS} events on. Own opinions always dominate once they exist.
 */
export function blendReputation(own: number, ownEvents: number, attested: number | undefined): number {
  if (attested === undefined) return own
  if (ownEvents <= 0) return attested
  const w = Math.min(1, 0.5 + ownEvents / (2 * OWN_CONFIDENT_EVENTS))
  return w * own + (1 - w) * attested
}

/**
 * The latest signed attestation per (attester, provider) received from other requesters, with each
 * attester's stake looked up on the registry (cached, at most 32 lookups in flight). Only staked
 * attesters are kept, so Sybil attesters cost a lookup each and no memory; forged, self, stale and
 * future attestations are dropped.
 */
export class AttestationPool {
  readonly #o: Required<Omit<AttestationPoolOptions, 'now'>> & { now: () => number }
  /** key: `${attester}\n${provider}` */
  readonly #entries = new Map<string, Attestation>()
  readonly #stake = new Map<string, { stake: bigint; at: number }>()
  readonly #noStake = new Map<string, { stake: bigint; at: number }>()
  readonly #pending = new Map<string, Promise<bigint>>()

  constructor(options: AttestationPoolOptions) {
    this.#o = {
      stakeTtlMs: 60_000,
      maxEntries: 4096,
      maxAgeMs: 7 * 24 * 3600_000,
      maxSkewMs: 5 * 60_000,
      now: Date.now,
      ...options,
    }
  }

  /** Validates one attestation and keeps it if it is the attester's latest; returns why it was dropped. */
  async add(a: Attestation): Promise<'kept' | string> {
    const now = this.#o.now()
    const attester = attesterPeerId(a.attester)
    if (!attester) return 'attester is not an ed25519 key'
    if (attester === this.#o.self) return 'own attestation'
    if (attester === a.provider) return 'self-attestation'
    if (a.time > now + this.#o.maxSkewMs) return 'from the future'
    if (a.time < now - this.#o.maxAgeMs) return 'too old'
    const key = `${a.attester}\n${a.provider}`
    const prev = this.#entries.get(key)
    if (prev && prev.time >= a.time) return 'not newer'
    if (!verifyAttestation(a)) return 'bad signature'
    const stake = await this.#stakeOf(attester)
    if (stake === 'busy') return 'too many stake lookups'
    if (stake <= 0n) return 'no stake'
    const again = this.#entries.get(key)
    if (again && again.time >= a.time) return 'not newer'
    this.#entries.delete(key)
    this.#entries.set(key, a)
    while (this.#entries.size > this.#o.maxEntries) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
    return 'kept'
  }

  /** Stake-weighted aggregate of what staked attesters say about `provider` (cached stakes). */
  aggregate(provider: string): AggregateReputation {
    const list = [...this.#entries.values()].filter((a) => a.provider === provider)
    return aggregateAttestations(list, {
      provider,
      now: this.#o.now(),
      maxAgeMs: this.#o.maxAgeMs,
      maxSkewMs: this.#o.maxSkewMs,
      stakeOf: (hex) => {
        const peer = attesterPeerId(hex)
        return peer ? (this.#stake.get(peer)?.stake ?? 0n) : 0n
      },
    })
  }

  /** Providers some kept attestation is about (not this node). */
  providers(): string[] {
    return [...new Set([...this.#entries.values()].map((a) => a.provider))].filter((p) => p !== this.#o.self)
  }

  /** What staked requesters attest about this node: how the network sees it (it does not change how it sees itself). */
  seenByOthers(): SeenByOthers {
    const agg = this.aggregate(this.#o.self)
    const counts = { valid: 0, invalid: 0, timeout: 0 }
    let latest: number | null = null
    for (const a of this.#entries.values()) {
      const peer = a.provider === this.#o.self ? attesterPeerId(a.attester) : undefined
      if (!peer || (this.#stake.get(peer)?.stake ?? 0n) <= 0n) continue
      counts.valid += a.counts.valid
      counts.invalid += a.counts.invalid
      counts.timeout += a.counts.timeout
      latest = Math.max(latest ?? 0, a.time)
    }
    return {
      score: agg.score ?? null,
      attesters: agg.score === undefined ? 0 : agg.used,
      attestedStake: agg.weight.toString(),
      counts,
      latest,
    }
  }

  /** Own record blended with the attested score (see {@link blendReputation}). */
  reputation(provider: string, own: ReputationRecord): ProviderReputation {
    const now = this.#o.now()
    const ownScore = reputationScore(own, now)
    const ownEvents = own.valid + own.invalid + own.timeout
    const agg = provider === this.#o.self ? undefined : this.aggregate(provider)
    return {
      own: ownScore,
      ownEvents,
      attested: agg?.score ?? null,
      attesters: agg?.score === undefined ? 0 : agg.used,
      attestedStake: (agg?.weight ?? 0n).toString(),
      effective: blendReputation(ownScore, ownEvents, agg?.score),
    }
  }

  async #stakeOf(peer: string): Promise<bigint | 'busy'> {
    const now = this.#o.now()
    const cached = this.#stake.get(peer) ?? this.#noStake.get(peer)
    if (cached && now - cached.at < this.#o.stakeTtlMs) return cached.stake
    const inflight = this.#pending.get(peer)
    if (inflight) return inflight
    if (this.#pending.size >= MAX_PENDING_LOOKUPS) return 'busy'
    const lookup = this.#o
      .stakeOfPeer(peer)
      .catch(() => cached?.stake ?? 0n)
      .then((stake) => {
        // staked and unstaked attesters are cached apart, so a flood of Sybils cannot evict stakes in use
        this.#stake.delete(peer)
        this.#noStake.delete(peer)
        const cache = stake > 0n ? this.#stake : this.#noStake
        cache.set(peer, { stake, at: this.#o.now() })
        if (cache.size > this.#o.maxEntries) cache.delete(cache.keys().next().value as string)
        return stake
      })
      .finally(() => this.#pending.delete(peer))
    this.#pending.set(peer, lookup)
    return lookup
  }
}
