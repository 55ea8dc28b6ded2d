import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ProviderPolicySchema } from '../config/provider-policy.js'
import { detectHardware } from './hardware.js'
import { InvalidPolicyError, MIN_TASK_MEMORY_BYTES, resolvePolicy } from './policy.js'

const GIB = 1024 ** 3
const hw = (count: number, memoryBytes = 16 * GIB) => ({ cpus: { count, model: 'test' }, memoryBytes })

function policyError(policy: unknown, hardware = hw(8)): InvalidPolicyError {
  try {
    resolvePolicy(policy, hardware)
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPolicyError)
    return err as InvalidPolicyError
  }
  throw new Error('expected resolvePolicy to throw')
}

describe('ProviderPolicySchema', () => {
  it('fills every default from {}', () => {
    expect(ProviderPolicySchema.parse({})).toEqual({
      cpuShare: 0.5,
      memoryShare: 0.25,
      pricePerUnit: '1000000000000', // 0.001 MUT per 1,000 work units
      paused: false,
      idleOnly: { enabled: false, busyThreshold: 0.25, idleAfterSeconds: 180, sampleMs: 1000 },
      kinds: ['onnx-inference', 'wasm'],
      streams: false,
      gpu: 'off',
    })
  })
})

describe('resolvePolicy', () => {
  it('turns shares into threads and bytes, the price into a bigint', () => {
    const r = resolvePolicy(
      {
        cpuShare: 0.75,
        memoryShare: 0.5,
        pricePerUnit: '123456789012345678901234567890',
        idleOnly: { enabled: true, idleAfterSeconds: 2.5 },
      },
      hw(8),
    )
    expect(r).toEqual({
      threads: 6,
      cpuShare: 0.75,
      paused: false,
      memoryBytes: 8 * GIB,
      pricePerUnit: 123456789012345678901234567890n,
      maxConcurrentTasks: 6,
      kinds: ['onnx-inference', 'wasm'],
      streams: false,
      executionProvider: 'cpu',
      idleOnly: { enabled: true, busyThreshold: 0.25, idleAfterMs: 2500, sampleMs: 1000 },
    })
  })

  it('grants at least one thread and never more than the cores', () => {
    expect(resolvePolicy({ cpuShare: 0.01 }, hw(2)).threads).toBe(1)
    expect(resolvePolicy({ cpuShare: 1 }, hw(2)).threads).toBe(2)
    expect(resolvePolicy({ cpuShare: 0.5 }, hw(3)).threads).toBe(2)
    expect(resolvePolicy({ cpuShare: 0.3 }, hw(10)).threads).toBe(3) // 0.3 × 10 is 3.0000000000000004
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1, noNaN: true }), fc.integer({ min: 1, max: 512 }), (s, n) => {
        const { threads } = resolvePolicy({ cpuShare: s }, hw(n))
        return threads >= 1 && threads <= n && threads >= s * n - 1e-6 && threads < s * n + 1
      }),
    )
  })

  it('allows a free (volunteer) price and an explicit concurrency', () => {
    const r = resolvePolicy({ pricePerUnit: '0', maxConcurrentTasks: 3, kinds: ['onnx-inference'] }, hw(2))
    expect(r.pricePerUnit).toBe(0n)
    expect(r.maxConcurrentTasks).toBe(3)
  })

  it.each([
    [{ cpuShare: 0 }, 'cpuShare: cpuShare must be more than 0'],
    [{ cpuShare: 1.2 }, 'cpuShare: cpuShare must be at most 1'],
    [{ memoryShare: -0.5 }, 'memoryShare: memoryShare must be more than 0'],
    [{ pricePerUnit: '-5' }, 'pricePerUnit: pricePerUnit must be a whole, non-negative number'],
    [{ pricePerUnit: '1.5' }, 'pricePerUnit: pricePerUnit must be a whole, non-negative number'],
    [{ pricePerUnit: 1000 }, 'pricePerUnit: pricePerUnit must be a decimal string'],
    [{ pricePerUnit: (1n << 256n).toString() }, 'pricePerUnit: pricePerUnit must fit in a uint256'],
    [
      { idleOnly: { busyThreshold: 0 } },
      'idleOnly.busyThreshold: idleOnly.busyThreshold must be more than 0',
    ],
    [
      { idleOnly: { idleAfterSeconds: -1 } },
      'idleOnly.idleAfterSeconds: idleOnly.idleAfterSeconds must be 0',
    ],
    [{ maxConcurrentTasks: 0 }, 'maxConcurrentTasks: maxConcurrentTasks must be at least 1'],
    [{ kinds: [] }, 'kinds: kinds must name at least one job kind'],
    [{ kinds: ['onnx-inference', 'onnx-inference'] }, 'kinds: kinds must not repeat'],
    [{ kinds: ['mine-bitcoin'] }, 'kinds.0:'],
    [{ cpushare: 0.5 }, 'policy: Unrecognized key'],
    ['everything', 'policy:'],
  ])('rejects %j with a message naming the field', (policy, expected) => {
    const err = policyError(policy)
    expect(err.name).toBe('InvalidPolicyError')
    expect(err.shortMessage).toContain(`Invalid provider policy: ${expected}`)
    expect(err.metaMessages.length).toBeGreaterThan(0)
  })

  it('lists every problem in the details', () => {
    const err = policyError({ cpuShare: 0, pricePerUnit: '-1' })
    expect(err.details).toContain('cpuShare')
    expect(err.details).toContain('pricePerUnit')
  })

  it('refuses a memory share that leaves tasks less than the minimum', () => {
    const err = policyError({ memoryShare: 0.01 }, hw(2, 4 * GIB))
    expect(err.shortMessage).toBe('memoryShare 0.01 of 4.0 GiB leaves 40 MiB for tasks')
    expect(resolvePolicy({ memoryShare: 0.5 }, hw(2, 2 * MIN_TASK_MEMORY_BYTES)).memoryBytes).toBe(
      MIN_TASK_MEMORY_BYTES,
    )
  })

  it('refuses nonsense hardware', () => {
    expect(policyError({}, hw(0)).shortMessage).toContain('0 cores')
  })

  it('resolves the defaults on this machine', async () => {
    const real = await detectHardware()
    const r = resolvePolicy(undefined, real)
    expect(r.threads).toBe(Math.ceil(real.cpus.count / 2))
    expect(r.memoryBytes).toBe(Math.floor(real.memoryBytes / 4))
    expect(r.idleOnly).toEqual({ enabled: false, busyThreshold: 0.25, idleAfterMs: 180_000, sampleMs: 1000 })
  })
})
