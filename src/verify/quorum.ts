/** One replica's answer for a task. */
export interface QuorumCandidate<T> {
  provider: string
  output: T
}

/** Options of {@link decideQuorum}. */
export interface QuorumOptions<T> {
  /** Agreeing answers needed to accept. */
  quorum: number
  /** Most replicas the policy allows for this task (to tell "wait for more" from "give up"). */
  maxReplicas: number
  /** Equivalence of two outputs (exact hash or tolerance). Should be symmetric. */
  equal: (a: T, b: T) => boolean
}

/** What the answers so far decide. */
export type QuorumDecision<T> =
  | { status: 'accepted'; output: T; agreeing: string[]; outvoted: string[] }
  | { status: 'pending'; groups: string[][]; needed: number }
  | { status: 'no-quorum'; groups: string[][] }

/**
 * Groups answers into agreeing sets (each answer joins the first group whose first member it equals)
 * and decides: accepted when exactly one group reaches the quorum (the others are outvoted); pending when
 * a group could still reach it with the replicas left; otherwise no quorum. A provider counts once.
 */
export function decideQuorum<T>(candidates: QuorumCandidate<T>[], opts: QuorumOptions<T>): QuorumDecision<T> {
  const seen = new Set<string>()
  const groups: QuorumCandidate<T>[][] = []
  for (const c of candidates) {
    if (seen.has(c.provider)) continue
    seen.add(c.provider)
    const g = groups.find((g) => opts.equal(g[0].output, c.output))
    if (g) g.push(c)
    else groups.push([c])
  }
  groups.sort((a, b) => b.length - a.length)
  const ids = groups.map((g) => g.map((c) => c.provider))
  const winners = groups.filter((g) => g.length >= opts.quorum)
  if (winners.length === 1) {
    const [win] = winners
    return {
      status: 'accepted',
      output: win[0].output,
      agreeing: win.map((c) => c.provider),
      outvoted: groups.filter((g) => g !== win).flatMap((g) => g.map((c) => c.provider)),
    }
  }
  const left = opts.maxReplicas - seen.size
  const best = groups[0]?.length ?? 0
  if (winners.length === 0 && best + left >= opts.quorum) {
    return { status: 'pending', groups: ids, needed: opts.quorum - best }
  }
  return { status: 'no-quorum', groups: ids }
}
