import type { PrivateKey } from '@libp2p/interface'
import type { Logger } from '../log.js'
import type { Host } from '../net/host.js'
import { signAttestation } from '../verify/attestation.js'
import { reputationScore } from '../verify/reputation.js'
import { AttestationPool, MAX_ATTESTATIONS_PER_MESSAGE, parseAttestationMessage } from './attestation-pool.js'
import type { ReputationBook } from './reputation-book.js'

/** Most providers attested per round (most recently updated first). */
const MAX_ATTESTED_PER_ROUND = 64

/** Components of {@link startAttestationGossip}. */
export interface AttestationGossipComponents {
  host: Host
  /** This node's libp2p Ed25519 key: it signs the attestations (attester = its peer id). */
  peerKey: PrivateKey
  peerId: string
  book: ReputationBook
  /** Stake bound to a peer id on the ProviderRegistry. */
  stakeOfPeer: (peerId: string) => Promise<bigint>
  log: Logger
  /** Period of publishing. Default 30 s. */
  intervalMs?: number
  /** Delay between a reputation event and the publication it triggers. Default 2 s. */
  afterEventMs?: number
}

/** The running gossip of attestations. */
export interface AttestationGossip {
  pool: AttestationPool
  /** Schedule a publication soon (after a verdict: a job's last one publishes shortly after it ends). */
  changed(): void
  /** Publish now. */
  publish(): Promise<void>
  stop(): void
}

/**
 * Shares this node's own verified experience on `mutirao/reputation/2`, as attestations signed with its
 * libp2p key, periodically and shortly after verdicts; collects others' attestations into a pool.
 */
export function startAttestationGossip(c: AttestationGossipComponents): AttestationGossip {
  const pubsub = c.host.services.pubsub
  const pool = new AttestationPool({ self: c.peerId, stakeOfPeer: c.stakeOfPeer })
  const topic = c.host.services.wire.topics.reputation
  const secret = c.peerKey.raw.slice(0, 32)

  const publish = async () => {
    const now = Date.now()
    const own = c.book.list(MAX_ATTESTED_PER_ROUND).filter((r) => r.provider !== c.peerId)
    for (let i = 0; i < own.length; i += MAX_ATTESTATIONS_PER_MESSAGE) {
      const attestations = own.slice(i, i + MAX_ATTESTATIONS_PER_MESSAGE).map(({ provider, record }) =>
        signAttestation(
          {
            provider,
            score: reputationScore(record, now),
            counts: { valid: record.valid, invalid: record.invalid, timeout: record.timeout },
            time: now,
          },
          secret,
        ),
      )
      const bytes = new TextEncoder().encode(JSON.stringify({ v: 1, attestations }))
      await pubsub.publish(topic, bytes)
    }
    if (own.length) c.log.debug({ providers: own.length }, 'published attestations')
  }
  const tick = () =>
    void publish().catch((err) => c.log.info({ err: (err as Error).message }, 'attestation publish failed'))

  const onMessage = (evt: { detail: { topic: string; data: Uint8Array } }) => {
    if (evt.detail.topic !== topic) return
    void (async () => {
      for (const a of parseAttestationMessage(evt.detail.data)) {
        const outcome = await pool.add(a)
        if (outcome !== 'kept') c.log.debug({ provider: a.provider, outcome }, 'attestation dropped')
      }
    })().catch((err) => c.log.debug({ err: (err as Error).message }, 'bad attestation message'))
  }
  pubsub.subscribe(topic)
  pubsub.addEventListener('message', onMessage as never)
  const timer = setInterval(tick, c.intervalMs ?? 30_000)
  let soon: NodeJS.Timeout | undefined
  return {
    pool,
    publish,
    changed() {
      if (soon) return
      soon = setTimeout(() => {
        soon = undefined
        tick()
      }, c.afterEventMs ?? 2000)
    },
    stop() {
      clearInterval(timer)
      clearTimeout(soon)
      pubsub.removeEventListener('message', onMessage as never)
      pubsub.unsubscribe(topic)
    },
  }
}
