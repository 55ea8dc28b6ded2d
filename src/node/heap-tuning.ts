import { setFlagsFromString } from 'node:v8'
import { InvalidInputError } from '../errors.js'

/**
 * How far V8's heap may grow past what the last full collection kept, in percent, for a node process.
 * Under a job's traffic, with V8's own heuristics, each node of `bench:submit` ran a full collection every
 * ~0.4 s although its heap grew by only 2–5 MB between them (live ~44 MB; 19–31 per node and run); at 100 %
 * they ran 6–8 and the job's throughput rose (BENCHMARKS.md, "Fewer full collections"). The price is at
 * most one more live heap of memory (~45 MB here) while a node is busy.
 */
export const DEFAULT_HEAP_GROWING_PERCENT = 100

/** The percent from `MUTIRAO_HEAP_GROWING_PERCENT` (0 keeps V8's own heuristics), else the default. */
export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.MUTIRAO_HEAP_GROWING_PERCENT?.trim()
  if (raw === undefined || raw === '') return DEFAULT_HEAP_GROWING_PERCENT
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 0 || n > 1000)
    throw new InvalidInputError(
      `MUTIRAO_HEAP_GROWING_PERCENT must be a whole number from 0 (V8's own heuristics) to 1000, got '${raw}'`,
    )
  return n
}

/**
 * Apply {@link heapGrowingPercent} to this process (before the node starts: V8 reads it when it next sizes
 * the heap, at each full collection). Returns the percent applied, 0 when V8's heuristics were kept.
 */
export function tuneHeapForNode(env: NodeJS.ProcessEnv = process.env): number {
  const percent = heapGrowingPercent(env)
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`)
  return percent
}
