import { describe, expect, it } from 'vitest'
import { createMetrics } from './metrics.js'

describe('createMetrics', () => {
  it('reads peers and provider task counts at scrape time, so they agree with status', async () => {
    let peers = 2
    let tasks: { running: number; completed: number; failed: number } | undefined = {
      running: 1,
      completed: 40,
      failed: 3,
    }
    const m = createMetrics({ peers: () => peers, providerTasks: () => tasks })
    let text = await m.metrics()
    expect(text).toMatch(/^mutirao_peers 2$/m)
    expect(text).toMatch(/^mutirao_provider_tasks_completed_total 40$/m)
    expect(text).toMatch(/^mutirao_provider_tasks_failed_total 3$/m)
    expect(text).toMatch(/^mutirao_provider_tasks_running 1$/m)
    peers = 5
    tasks = { running: 0, completed: 41, failed: 3 }
    text = await m.metrics()
    expect(text).toMatch(/^mutirao_peers 5$/m)
    expect(text).toMatch(/^mutirao_provider_tasks_completed_total 41$/m)
    tasks = undefined
    expect(await m.metrics()).toMatch(/^mutirao_provider_tasks_completed_total 0$/m)
  })
})
