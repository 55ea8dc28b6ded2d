import { describe, expect, it } from 'vitest'
import { createRng } from '../verify/random.js'
import { EventQueue, logNormal, quantile } from './events.js'
import { simulateMarket } from './market-sim.js'

describe('EventQueue', () => {
  it('pops in time order, ties in insertion order, and advances the clock', () => {
    const q = new EventQueue<string>()
    const rng = createRng(3)
    const want: [number, string][] = []
    for (let i = 0; i < 200; i++) {
      const at = Math.floor(rng.next() * 20)
      q.after(at, `e${i}`)
      want.push([at, `e${i}`])
    }
    want.sort((a, b) => a[0] - b[0]) // stable: insertion order within a time
    const got: [number, string][] = []
    for (let e = q.pop(); e; e = q.pop()) got.push([q.now, e])
    expect(got).toEqual(want)
    q.after(5, 'later')
    expect(q.pop()).toBe('later')
    expect(q.now).toBe(want.at(-1)![0] + 5)
  })

  it('draws log-normals around their median; quantiles of a list', () => {
    const rng = createRng(1)
    const xs = Array.from({ length: 4000 }, () => logNormal(rng, 40, 0.7))
    expect(quantile(xs, 0.5)).toBeGreaterThan(36)
    expect(quantile(xs, 0.5)).toBeLessThan(44)
    expect(quantile([3, 1, 2], 0)).toBe(1)
    expect(quantile([], 0.5)).toBeNaN()
  })
})

describe('simulateMarket (the real requester code over a simulated network)', () => {
  it('finishes every job with no wrong result accepted; catches and excludes blatant cheaters', async () => {
    const r = await simulateMarket({
      providers: 60,
      requesters: 6,
      jobsPerRequester: 2,
      shardsPerJob: 20,
      seed: 7,
      cheaters: 0.2,
      cheatRate: 1,
    })
    expect(r.unfinishedJobs).toBe(0)
    expect(r.tasks).toBe(6 * 2 * 20)
    expect(r.wrongAccepted).toBe(0)
    expect(r.cheatersExcluded).toBeGreaterThan(0)
    // replicas and checks cost executions beyond one per task
    expect(r.executionsPerTask).toBeGreaterThan(1)
    expect(r.requesterCpuMsPerTask).toBeGreaterThan(0)
  })

  it('offer sampling keeps offers per demand bounded as providers grow', async () => {
    const run = (providers: number) =>
      simulateMarket({
        providers,
        requesters: 2,
        jobsPerRequester: 1,
        shardsPerJob: 8,
        seed: 2,
        churn: 0,
        cheaters: 0,
      })
    const [small, large] = await Promise.all([run(20), run(2000)])
    expect(small.unfinishedJobs + large.unfinishedJobs).toBe(0)
    // every provider of a small network answers; of 2,000 only the sample of ~16 does, not ~1,900
    expect(small.offersSentPerDemand).toBeGreaterThan(12)
    expect(large.offersSentPerDemand).toBeLessThanOrEqual(40)
    expect(large.offersPerDemand).toBeGreaterThan(0)
    expect(small.executionsPerTask).toBeGreaterThanOrEqual(1)
  })

  it('stops at the simulated time limit and counts the jobs not done', async () => {
    const r = await simulateMarket({
      providers: 10,
      requesters: 2,
      jobsPerRequester: 3,
      shardsPerJob: 50,
      seed: 1,
      maxSimSeconds: 5,
    })
    expect(r.unfinishedJobs).toBeGreaterThan(0)
    expect(r.jobs + r.unfinishedJobs).toBe(6)
  })
})
