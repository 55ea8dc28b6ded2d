import type { Rng } from '../verify/random.js'

/** A min-heap of timed events: the clock of a discrete-event simulation. */
export class EventQueue<E> {
  readonly #heap: { at: number; seq: number; event: E }[] = []
  #seq = 0
  /** Simulated time of the last event popped (ms). */
  now = 0

  get size(): number {
    return this.#heap.length
  }

  /** Schedules `event` `delayMs` after now. */
  after(delayMs: number, event: E): void {
    this.#heap.push({ at: this.now + Math.max(0, delayMs), seq: this.#seq++, event })
    let i = this.#heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#less(i, parent)) break
      this.#swap(i, parent)
      i = parent
    }
  }

  /** The next event (time order, then insertion order), advancing `now`; undefined when none is left. */
  pop(): E | undefined {
    const top = this.#heap[0]
    if (!top) return undefined
    const last = this.#heap.pop()!
    if (this.#heap.length) {
      this.#heap[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < this.#heap.length && this.#less(l, m)) m = l
        if (r < this.#heap.length && this.#less(r, m)) m = r
        if (m === i) break
        this.#swap(i, m)
        i = m
      }
    }
    this.now = top.at
    return top.event
  }

  #less(a: number, b: number): boolean {
    const x = this.#heap[a]
    const y = this.#heap[b]
    return x.at < y.at || (x.at === y.at && x.seq < y.seq)
  }

  #swap(a: number, b: number): void {
    const t = this.#heap[a]
    this.#heap[a] = this.#heap[b]
    this.#heap[b] = t
  }
}

/** A log-normal draw with the given median and log-space spread σ. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  const u = Math.max(rng.next(), 1e-12)
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
  return median * Math.exp(sigma * z)
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
