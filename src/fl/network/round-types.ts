import type { z } from 'zod'
import type { LineageParticipant } from '../lineage/record.js'
import type { ClientUpdate } from '../types.js'
import type { FlJobSpec, PreprocessingWire } from './protocol.js'
import type { HolderSession } from './session.js'

/** What a round driver needs: the job, the round, the global weights and the holders invited. */
export interface RoundInput {
  spec: FlJobSpec
  round: number
  attempt: number
  global: Float32Array
  preprocessing: z.infer<typeof PreprocessingWire>
  sessions: HolderSession[]
  /** Epoch ms by which local updates (or, under SecAgg, the key advertisements) must arrive. */
  deadline: number
}

/** What a round produced: the new global weights and who is in them. */
export interface RoundResult {
  weights: Float32Array
  participants: LineageParticipant[]
  /** Individual updates (plain rounds only; SecAgg hides them). */
  updates?: ClientUpdate[]
  meanLoss: number
  /** SecAgg: holders recovered as dropped after sharing keys. */
  dropped?: string[]
}

/** A participant record from a verified holder message header. */
export function participantOf(
  peer: string,
  header: { sig: string; body?: string; numSamples: number; privacy?: { epsilon: number; delta: number } },
): LineageParticipant {
  const { sig, ...signed } = header
  return {
    peer,
    commitment: header.body ?? '',
    signed,
    signature: sig,
    numSamples: header.numSamples,
    ...(header.privacy ? { privacy: header.privacy } : {}),
  }
}
