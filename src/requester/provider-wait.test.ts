import { describe, expect, it } from 'vitest'
import { DEFAULT_PROVIDER_WAIT_S, providerWait } from './provider-wait.js'

const base = { live: 1, min: 3, shards: 10, since: 0, now: 0 }

describe('providerWait', () => {
  it('tasks flow once min providers (or one per shard) took the job', () => {
    expect(providerWait({ ...base, live: 3 })).toEqual({ kind: 'enough' })
    expect(providerWait({ ...base, shards: 1 })).toEqual({ kind: 'enough' })
  })

  it('waits, saying how many came, then fails after the wait naming what it heard', () => {
    expect(providerWait({ ...base, now: 1000 })).toEqual({
      kind: 'wait',
      notice: 'waiting: 1 of the 3 providers asked for (providers.min) took the job so far',
    })
    expect(providerWait({ ...base, live: 0, now: 1000 })).toEqual({ kind: 'wait' })
    expect(providerWait({ ...base, now: DEFAULT_PROVIDER_WAIT_S * 1000 }).kind).toBe('wait')
    expect(providerWait({ ...base, now: DEFAULT_PROVIDER_WAIT_S * 1000 + 1, heard: 'no offers: x' })).toEqual(
      {
        kind: 'fail',
        message:
          '1 of the 3 providers asked for (providers.min) took the job within 60 s; no offers: x; lower providers.min, or raise providers.waitSeconds',
      },
    )
    expect(providerWait({ ...base, waitSeconds: 3, now: 3001 }).kind).toBe('fail')
  })

  it('says that connected peers speak another network while none came, and when it fails', () => {
    const elsewhere = "2 connected peer(s) speak another network (2 on 'local'), not 'testnet'"
    expect(providerWait({ ...base, live: 0, now: 1000, elsewhere })).toEqual({
      kind: 'wait',
      notice: `waiting: ${elsewhere}`,
    })
    const failed = providerWait({ ...base, live: 0, waitSeconds: 3, now: 3001, elsewhere })
    expect(failed.kind).toBe('fail')
    expect(failed.kind === 'fail' && failed.message).toContain(`; ${elsewhere}; lower providers.min`)
  })
})
