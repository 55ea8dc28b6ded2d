import { z } from 'zod'

/** Verdicts that move reputation. */
export type ReputationEvent = 'valid' | 'invalid' | 'timeout'

/** A provider's reputation: raw counts plus recency-weighted ones. Plain JSON, safe to persist. */
export interface ReputationRecord {
  valid: number
  invalid: number
  timeout: number
  /** Exponentially decayed counts, as of `updatedAt`. */
  weighted: { valid: number; invalid: number; timeout: number }
  /** ms since the epoch of the last update. */
  updatedAt: number
}

/** Parameters of the score. */
export interface ReputationParams {
  /** Half-life of an event's weight, in ms. Default 30 days. */
  halfLifeMs: number
  /** Weight of an invalid result relative to a valid one. Default 10: one fraud outweighs ten good tasks. */
  invalidWeight: number
  /** Weight of a timeout. Default 1. */
  timeoutWeight: number
  /** Beta prior (pseudo-counts) — a newcomer scores priorGood / (priorGood + priorBad). Default 1 / 1. */
  priorGood: number
  priorBad: number
}

/** Defaults of {@link ReputationParams}. */
export const REPUTATION_DEFAULTS: ReputationParams = {
  halfLifeMs: 30 * 24 * 3600_000,
  invalidWeight: 10,
  timeoutWeight: 1,
  priorGood: 1,
  priorBad: 1,
}

/** Schema of a stored or received record. */
export const reputationRecordSchema = z.object({
  valid: z.number().int().min(0),
  invalid: z.number().int().min(0),
  timeout: z.number().int().min(0),
  weighted: z.object({ valid: z.number().min(0), invalid: z.number().min(0), timeout: z.number().min(0) }),
  updatedAt: z.number().int().min(0),
})

/** An empty record. */
export function emptyReputation(now = 0): ReputationRecord {
  return { valid: 0, invalid: 0, timeout: 0, weighted: { valid: 0, invalid: 0, timeout: 0 }, updatedAt: now }
}

function decayed(r: ReputationRecord, now: number, p: ReputationParams): ReputationRecord['weighted'] {
  const f = 0.5 ** (Math.max(0, now - r.updatedAt) / p.halfLifeMs)
  return { valid: r.weighted.valid * f, invalid: r.weighted.invalid * f, timeout: r.weighted.timeout * f }
}

/** Returns a new record with one more event at time `now` (the input is not modified). */
export function recordReputation(
  r: ReputationRecord,
  event: ReputationEvent,
  now: number,
  params: ReputationParams = REPUTATION_DEFAULTS,
): ReputationRecord {
  const w = decayed(r, now, params)
  w[event] += 1
  return { ...r, [event]: r[event] + 1, weighted: w, updatedAt: Math.max(now, r.updatedAt) }
}

/**
 * Score in [0, 1]: the posterior mean of "a task of this provider comes back valid", with recent events
 * weighing more (half-life), invalid results weighing `invalidWeight`, and a Beta prior so that a
 * newcomer starts at 0.5 and few events move it little.
 */
export function reputationScore(
  r: ReputationRecord,
  now: number,
  params: ReputationParams = REPUTATION_DEFAULTS,
): number {
  const w = decayed(r, now, params)
  const good = w.valid + params.priorGood
  const bad = params.invalidWeight * w.invalid + params.timeoutWeight * w.timeout + params.priorBad
  return good / (good + bad)
}
