import type { Outcome } from './types.js'

/** Per-provider verification history kept by a policy. Plain data (JSON). */
export interface ProviderStats {
  valid: number
  invalid: number
  timeout: number
  unchecked: number
  /** Consecutive verified valid results since the last invalid one. */
  streak: number
  /** Tasks completed (verified or not) since the last invalid one: the "record" adaptive checking decays with. */
  record: number
  excluded: boolean
}

/** The state every policy keeps about providers. */
export type ProviderBookState = Record<string, ProviderStats>

const fresh = (): ProviderStats => ({
  valid: 0,
  invalid: 0,
  timeout: 0,
  unchecked: 0,
  streak: 0,
  record: 0,
  excluded: false,
})

/** Reads (creating if needed) a provider's stats. */
export function statsOf(book: ProviderBookState, provider: string): ProviderStats {
  book[provider] ??= fresh()
  return book[provider]
}

/**
 * Applies an outcome: valid extends the streak and the record; invalid resets both and excludes the
 * provider once `excludeAfterInvalid` invalid results accumulated (0 = never) — or at once when the
 * invalid result is a failed canary, which nobody can outvote (a vote can be won by colluders; a known
 * answer cannot); timeouts count but neither reset nor extend (a crash is not fraud); unchecked extends
 * only the record.
 */
export function applyOutcome(book: ProviderBookState, o: Outcome, excludeAfterInvalid: number): void {
  const s = statsOf(book, o.provider)
  if (o.verdict === 'valid') {
    s.valid++
    s.streak++
    s.record++
  } else if (o.verdict === 'invalid') {
    s.invalid++
    s.streak = 0
    s.record = 0
    if (excludeAfterInvalid > 0 && (o.canary || s.invalid >= excludeAfterInvalid)) s.excluded = true
  } else if (o.verdict === 'timeout') s.timeout++
  else {
    s.unchecked++
    s.record++
  }
}

/** A copy of `o` without its undefined fields (so they do not override defaults when spread). */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return structuredClone(
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  ) as Partial<T>
}
