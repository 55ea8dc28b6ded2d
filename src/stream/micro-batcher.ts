/** Options of a {@link MicroBatcher}. */
export interface MicroBatchOptions {
  /** Most samples in one run. */
  maxSamples: number
  /** Longest a sample waits for others (ms): the latency the caller gives up for throughput. */
  maxDelayMs: number
}

/** Timer functions (injected in tests). */
export interface BatchClock {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

interface Pending<I, O> {
  item: I
  resolve(out: O): void
  reject(err: unknown): void
}

/**
 * Collects calls for up to `maxDelayMs` or `maxSamples`, whichever comes first, and runs them as one batch
 * (`run` gets the items in call order and returns one output per item, in order). A failed batch fails each
 * of its calls; later batches are unaffected. Batches run one after another.
 */
export class MicroBatcher<I, O> {
  readonly #run: (items: I[]) => Promise<O[]>
  readonly #o: MicroBatchOptions
  readonly #clock: BatchClock
  #pending: Pending<I, O>[] = []
  #timer: unknown
  #chain: Promise<unknown> = Promise.resolve()

  constructor(run: (items: I[]) => Promise<O[]>, options: MicroBatchOptions, clock: BatchClock = globalThis) {
    if (!(options.maxSamples >= 1) || !(options.maxDelayMs >= 0))
      throw new RangeError('micro-batching needs maxSamples ≥ 1 and maxDelayMs ≥ 0')
    this.#run = run
    this.#o = options
    this.#clock = clock
  }

  /** Queue one item; resolves with its output once its batch has run. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject })
      if (this.#pending.length >= this.#o.maxSamples) this.flush()
      else if (this.#timer === undefined)
        this.#timer = this.#clock.setTimeout(() => this.flush(), this.#o.maxDelayMs)
    })
  }

  /** Run what is queued now. Resolves when that batch has run. */
  flush(): Promise<unknown> {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#pending
    this.#pending = []
    if (batch.length === 0) return this.#chain
    const go = async () => {
      try {
        const outs = await this.#run(batch.map((p) => p.item))
        if (outs.length !== batch.length)
          throw new Error(`a batch of ${batch.length} gave ${outs.length} outputs`)
        for (let i = 0; i < batch.length; i++) batch[i].resolve(outs[i])
      } catch (err) {
        for (const p of batch) p.reject(err)
      }
    }
    this.#chain = this.#chain.then(go, go)
    return this.#chain
  }
}
