import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidSecAggMessageError } from './errors.js'

/**
 * Who masks with whom and holds whose shares. The complete graph is Bonawitz et al.'s protocol (every holder
 * pairs with every other: cost linear in n per holder); a sparse graph of degree k = O(log n) is SecAgg+
 * (Bell et al., CCS 2020): each holder pairs with, and Shamir-shares its secrets among, only its k
 * neighbours, so its cost is O(k) and a dropped holder's masks are removed with the help of its neighbours.
 */
export interface MaskingGraph {
  /** Degree of every holder (n − 1 for the complete graph). */
  readonly degree: number
  /** Whether every holder is a neighbour of every other. */
  readonly complete: boolean
  /** The neighbours of `id`, itself excluded, sorted. */
  neighbours(id: string): readonly string[]
  /** Whether `a` and `b` are neighbours (symmetric; false for a = b). */
  adjacent(a: string, b: string): boolean
}

const utf8 = new TextEncoder()

/**
 * The masking graph of a round: complete when `degree` is undefined or ≥ n − 1; otherwise a Harary graph
 * H(k, n) (each holder joined to the k/2 nearest on either side of a ring, k even) over the roster in an
 * order shuffled by SHA-256 of the session and the roster, so that every party derives the same graph and
 * neighbourhoods do not follow the ids. H(k, n) is k-connected: no k − 1 dropouts disconnect it.
 */
export function maskingGraph(
  sortedRoster: readonly string[],
  session: string,
  degree?: number,
): MaskingGraph {
  const n = sortedRoster.length
  if (degree === undefined || degree >= n - 1) return completeGraph(sortedRoster)
  if (!Number.isInteger(degree) || degree < 2 || degree % 2 !== 0) {
    throw new InvalidSecAggMessageError(`degree must be an even integer ≥ 2 (or omitted), got ${degree}`)
  }
  const ring = shuffled(sortedRoster, session)
  const position = new Map(ring.map((id, i) => [id, i]))
  const half = degree / 2
  // a holder needs its own neighbours only (the aggregator: those of a few dropped holders), so each list is
  // made when first asked for — not n lists of k for every party (n·k per holder, ~6 ms at n = 500)
  const lists = new Map<string, string[]>()
  const neighbours = (id: string): string[] => {
    let near = lists.get(id)
    if (near) return near
    const i = position.get(id)
    if (i === undefined) return []
    near = []
    for (let d = 1; d <= half; d++) near.push(ring[(i + d) % n], ring[(i - d + n) % n])
    near.sort()
    lists.set(id, near)
    return near
  }
  return {
    degree,
    complete: false,
    neighbours,
    adjacent(a, b) {
      const pa = position.get(a)
      const pb = position.get(b)
      if (pa === undefined || pb === undefined || a === b) return false
      const d = Math.abs(pa - pb)
      return Math.min(d, n - d) <= half
    },
  }
}

function completeGraph(roster: readonly string[]): MaskingGraph {
  const members = new Set(roster)
  return {
    degree: roster.length - 1,
    complete: true,
    neighbours: (id) => (members.has(id) ? roster.filter((p) => p !== id) : []),
    adjacent: (a, b) => a !== b && members.has(a) && members.has(b),
  }
}

/** Fisher–Yates with a SHA-256 counter stream seeded by the session and the roster. */
function shuffled(roster: readonly string[], session: string): string[] {
  const seed = sha256(utf8.encode(`secagg-graph\n${session}\n${roster.join('\n')}`))
  let block = new Uint8Array(0)
  let used = 0
  let counter = 0
  const next32 = () => {
    if (used + 4 > block.length) {
      block = sha256(
        new Uint8Array([
          ...seed,
          counter >>> 24,
          (counter >>> 16) & 255,
          (counter >>> 8) & 255,
          counter & 255,
        ]),
      )
      counter++
      used = 0
    }
    const v = ((block[used] << 24) | (block[used + 1] << 16) | (block[used + 2] << 8) | block[used + 3]) >>> 0
    used += 4
    return v
  }
  const out = [...roster]
  for (let i = out.length - 1; i > 0; i--) {
    const j = next32() % (i + 1) // bias < (i+1)/2^32: irrelevant for a graph layout
    ;[out[i], out[j]] = [out[j], out[i]]
  }
  return out
}

/** A strict majority of the k + 1 holders of a secret's shares (its owner and its k neighbours). */
export function plusThreshold(degree: number): number {
  return Math.floor((degree + 1) / 2) + 1
}

/**
 * SecAgg+'s degree for n holders of whom a share `dropout` may drop: the smallest even k (threshold
 * {@link plusThreshold}) for which the chance that some holder keeps fewer than t answering neighbours,
 * n · P[Binomial(k, 1 − dropout) < t], is at most `failure` (a failed round is abandoned and rerun with
 * fresh keys). Grows as log n; capped at n − 1, where the graph is complete.
 */
export function plusDegree(n: number, dropout = 0.3, failure = 1e-3): number {
  for (let k = 4; k < n - 1; k += 2) {
    if (n * binomialBelow(k, 1 - dropout, plusThreshold(k)) <= failure) return k
  }
  return n - 1
}

/** P[Binomial(n, p) < t], summed in log space. */
function binomialBelow(n: number, p: number, t: number): number {
  let logC = 0 // log C(n, i)
  let total = 0
  for (let i = 0; i < t; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i)
    total += Math.exp(logC + i * Math.log(p) + (n - i) * Math.log(1 - p))
  }
  return total
}

/** Every secret is shared among its owner and its neighbours, so t may not exceed degree + 1. */
export function checkNeighbourhoodThreshold(graph: MaskingGraph, threshold: number): void {
  if (threshold > graph.degree + 1) {
    throw new InvalidSecAggMessageError(
      `threshold ${threshold} exceeds the ${graph.degree + 1} holders of each secret's shares (degree ${graph.degree} + 1)`,
    )
  }
}
