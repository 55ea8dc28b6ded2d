import type { Lineage } from './record.js'
import type { LineageReport } from './verify.js'

/** A lineage as the dashboard draws it: every record's hashes and who took part, without the signed headers. */
export interface LineageView {
  job: string
  coordinator: string
  genesisHash: string
  rounds: {
    round: number
    hash: string
    aggregateHash: string
    secureAggregation: boolean
    participants: { peer: string; numSamples: number; epsilon?: number }[]
    dropped?: string[]
    shares: Record<string, number>
    testAccuracy?: number
  }[]
  modelHash?: string
  root: string
}

/** `GET /v1/fl/runs/:id/lineage`: the lineage, and the verification of it (hashes, links, signatures, anchor). */
export interface LineageCheck {
  report: LineageReport
  lineage: LineageView
}

/** The view of a (verified) lineage: the signatures are checked by `verifyLineage`, not sent to the page. */
export function lineageView(l: Lineage): LineageView {
  return {
    job: l.genesis.job,
    coordinator: l.genesis.coordinator,
    genesisHash: l.genesis.hash,
    rounds: l.rounds.map((r) => ({
      round: r.round,
      hash: r.hash,
      aggregateHash: r.aggregateHash,
      secureAggregation: r.secureAggregation,
      participants: r.participants.map((p) => ({
        peer: p.peer,
        numSamples: p.numSamples,
        ...(p.privacy && { epsilon: p.privacy.epsilon }),
      })),
      ...(r.dropped && { dropped: r.dropped }),
      shares: r.shares,
      ...(r.testAccuracy !== undefined && { testAccuracy: r.testAccuracy }),
    })),
    ...(l.modelHash && { modelHash: l.modelHash }),
    root: l.root,
  }
}
