/** How long a job waits for `providers.min` providers when its spec gives no `providers.waitSeconds`. */
export const DEFAULT_PROVIDER_WAIT_S = 60

/** What the job loop does about the providers it has before tasks flow. */
export type ProviderWait =
  | { kind: 'enough' }
  /** Keep waiting; `notice` says how many came so far (absent while none did). */
  | { kind: 'wait'; notice?: string }
  /** Past the wait: fail the job with `message`. */
  | { kind: 'fail'; message: string }

/**
 * Whether a job has the providers it asked for: `providers.min`, or one per shard when it has fewer shards.
 * Pure: the caller passes the time. `heard` is the latest summary of declines, quoted when it fails;
 * `elsewhere` says that connected peers speak another network, quoted while none came and when it fails.
 */
export function providerWait(o: {
  live: number
  min: number
  shards: number
  since: number
  now: number
  waitSeconds?: number
  heard?: string
  /** Why connected peers never offer: they speak another network (see `Neighbours.explain`). */
  elsewhere?: string
}): ProviderWait {
  const need = Math.min(o.min, o.shards)
  if (o.live >= need) return { kind: 'enough' }
  const waitS = o.waitSeconds ?? DEFAULT_PROVIDER_WAIT_S
  const why = `${o.live} of the ${need} providers asked for (providers.min) took the job`
  if (o.now - o.since > waitS * 1000)
    return {
      kind: 'fail',
      message: `${why} within ${waitS} s${o.heard ? `; ${o.heard}` : ''}${o.elsewhere ? `; ${o.elsewhere}` : ''}; lower providers.min, or raise providers.waitSeconds`,
    }
  if (o.live > 0) return { kind: 'wait', notice: `waiting: ${why} so far` }
  return o.elsewhere ? { kind: 'wait', notice: `waiting: ${o.elsewhere}` } : { kind: 'wait' }
}
