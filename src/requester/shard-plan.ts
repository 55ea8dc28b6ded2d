/** State of one shard of a job. */
export type ShardStatus = 'pending' | 'assigned' | 'done'

/** One contiguous slice [start, end) of the job's samples. */
export interface Shard {
  idx: number
  start: number
  end: number
  units: number
  status: ShardStatus
  provider?: string
  attempts: number
}

/** Split `samples` into shards of at most `shardSize`; units = samples × cost per sample. */
export function planShards(samples: number, shardSize: number, costPerSample: number): Shard[] {
  const shards: Shard[] = []
  for (let start = 0, idx = 0; start < samples; start += shardSize, idx++) {
    const end = Math.min(samples, start + shardSize)
    shards.push({ idx, start, end, units: (end - start) * costPerSample, status: 'pending', attempts: 0 })
  }
  return shards
}

/** Raised when a shard has failed on too many providers. */
export class ShardFailedError extends Error {
  override name = 'ShardFailedError'
}

/**
 * Assigns shards to providers, takes them back when a provider fails or vanishes, and makes sure each
 * shard is completed exactly once whatever order results, duplicates and late answers arrive in.
 */
export class ShardScheduler {
  readonly #shards: Shard[]
  #pendingCursor = 0
  #done = 0

  constructor(
    shards: Shard[],
    private readonly maxAttempts = 6,
  ) {
    this.#shards = shards
    for (const s of shards) {
      if (s.status === 'assigned') s.status = 'pending'
      if (s.status === 'done') this.#done++
    }
  }

  get shards(): readonly Shard[] {
    return this.#shards
  }

  get doneCount(): number {
    return this.#done
  }

  get allDone(): boolean {
    return this.#done === this.#shards.length
  }

  /** Take the next pending shard for `provider`, or undefined when none is pending. */
  take(provider: string): Shard | undefined {
    for (let i = this.#pendingCursor; i < this.#shards.length; i++) {
      const s = this.#shards[i]
      if (s.status !== 'pending') {
        if (i === this.#pendingCursor) this.#pendingCursor++
        continue
      }
      s.status = 'assigned'
      s.provider = provider
      s.attempts++
      return s
    }
    return undefined
  }

  /** Record a completed shard; false when it was already done (duplicate) or not assigned to `provider`. */
  complete(idx: number, provider: string): boolean {
    const s = this.#shards[idx]
    if (!s || s.status === 'done' || s.provider !== provider) return false
    s.status = 'done'
    this.#done++
    return true
  }

  /** Give a shard back (provider failed, refused or vanished). Throws ShardFailedError past maxAttempts. */
  release(idx: number, provider: string): void {
    const s = this.#shards[idx]
    if (!s || s.status !== 'assigned' || s.provider !== provider) return
    if (s.attempts >= this.maxAttempts)
      throw new ShardFailedError(`Shard ${idx} failed on ${s.attempts} attempts`)
    s.status = 'pending'
    s.provider = undefined
    if (idx < this.#pendingCursor) this.#pendingCursor = idx
  }

  /** Give back every shard assigned to `provider`; returns their indexes. */
  releaseAll(provider: string): number[] {
    const released: number[] = []
    for (const s of this.#shards) {
      if (s.status === 'assigned' && s.provider === provider) {
        this.release(s.idx, provider)
        released.push(s.idx)
      }
    }
    return released
  }

  /** Return a shard to pending without counting an attempt (the provider refused it as busy). */
  refuse(idx: number, provider: string): void {
    const s = this.#shards[idx]
    if (s?.status === 'assigned' && s.provider === provider) s.attempts--
    this.release(idx, provider)
  }
}
