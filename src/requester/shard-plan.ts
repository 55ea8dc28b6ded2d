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
