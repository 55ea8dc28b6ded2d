/**
 * How the network sees a provider: what staked requesters attest about it. Pure (the CLI and the dashboard
 * share the words).
 */

/** How staked requesters rate this node, from their signed attestations (`AttestationPool.seenByOthers`). */
export interface SeenByOthers {
  /** Stake-weighted mean of their scores, or null when no staked requester attested about this node. */
  score: number | null
  attesters: number
  /** Their total stake (token base units, decimal string). */
  attestedStake: string
  /** Valid results, invalid results and timeouts they counted, summed. */
  counts: { valid: number; invalid: number; timeout: number }
  /** Time of the newest attestation (ms since the epoch). */
  latest: number | null
}

/** The facts in one sentence: `2 staked requesters rate it 0.93 of 1 (40 valid, 0 invalid, 1 timeout)`. */
export function seenByOthersText(s: SeenByOthers | undefined): string {
  if (!s || s.score === null)
    return 'no staked requester has attested about this machine yet (requesters publish what they verified after each job)'
  const c = s.counts
  return `${s.attesters} staked requester${s.attesters === 1 ? ' rates' : 's rate'} it ${s.score.toFixed(2)} of 1 (${c.valid} valid, ${c.invalid} invalid, ${c.timeout} timeout${c.timeout === 1 ? '' : 's'})`
}
