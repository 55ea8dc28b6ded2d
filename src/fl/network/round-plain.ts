import { logger } from '../../log.js'
import { aggregatorFor } from '../aggregate/index.js'
import type { ClientUpdate } from '../types.js'
import { weightsFromBytes, weightsToBytes } from './codec.js'
import { FlRoundFailedError } from './errors.js'
import { participantOf, type RoundInput, type RoundResult } from './round-types.js'

const log = logger('fl:coordinator')

/**
 * One plain round: sends the global weights to every invited holder, collects the signed updates that
 * arrive by the deadline (later ones are ignored), and aggregates them with the job's rule (FedAvg
 * weighted by sample counts, or a robust rule). Throws {@link FlRoundFailedError} below the minimum.
 */
export async function runPlainRound(input: RoundInput): Promise<RoundResult> {
  const { spec, round, attempt, global, sessions, deadline } = input
  const body = weightsToBytes(global)
  const header = { t: 'round', job: spec.id, round, attempt, deadline, preprocessing: input.preprocessing }
  await Promise.all(sessions.map((s) => s.send(header, body)))
  const answers = await Promise.all(sessions.map((s) => s.expect('update', deadline)))
  const updates: ClientUpdate[] = []
  const participants = []
  let loss = 0
  for (const [i, msg] of answers.entries()) {
    if (!msg) continue
    try {
      const weights = weightsFromBytes(msg.body, global.length)
      // Under DP every holder weighs the same (the clip norm bounds each one's influence).
      updates.push({
        holder: sessions[i].peer,
        weights,
        numSamples: spec.privacy ? 1 : msg.header.numSamples,
      })
      participants.push(participantOf(sessions[i].peer, msg.header))
      loss += msg.header.loss
    } catch (err) {
      log.warn({ peer: sessions[i].peer, err: (err as Error).message }, 'invalid update discarded')
    }
  }
  if (updates.length < spec.minParticipants) {
    throw new FlRoundFailedError(
      `Round ${round}: ${updates.length} updates by the deadline, need ${spec.minParticipants}`,
    )
  }
  const weights = aggregatorFor(spec.aggregator)(updates)
  return { weights, participants, updates, meanLoss: loss / updates.length }
}
