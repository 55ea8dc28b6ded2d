import { describe, expect, it } from 'vitest'
import { ProviderExcludedError, type VerificationPolicy } from '../../src/verify/index.js'

/**
 * The contract every `VerificationPolicy` keeps (one suite for all, as for executors): every plan is
 * well-formed; its state is JSON and a policy resumed from it decides the same; an honest provider is never
 * excluded; a provider whose every verdict is invalid is excluded, and planning for it then throws
 * `ProviderExcludedError`.
 */
export function describeVerificationPolicy(
  name: string,
  make: () => VerificationPolicy,
  resume?: (snapshot: unknown) => VerificationPolicy,
): void {
  describe(`VerificationPolicy compliance: ${name}`, () => {
    it('plans are well-formed: 1 ≤ quorum ≤ replicas ≤ maxReplicas', () => {
      const p = make()
      for (let t = 0; t < 300; t++)
        for (const provider of ['a', 'b', 'c']) {
          const plan = p.plan({ id: `t${t}` }, provider)
          expect(plan.quorum).toBeGreaterThanOrEqual(1)
          expect(plan.replicas).toBeGreaterThanOrEqual(plan.quorum)
          expect(plan.maxReplicas).toBeGreaterThanOrEqual(plan.replicas)
          expect(typeof plan.canary).toBe('boolean')
          p.record({ provider, task: `t${t}`, verdict: 'valid' })
        }
    })

    it.skipIf(!resume)('its state is JSON, and a policy resumed from it plans exactly the same', () => {
      const p = make()
      for (let t = 0; t < 50; t++)
        p.record({ provider: 'a', task: `w${t}`, verdict: t % 7 ? 'valid' : 'timeout' })
      const copy = resume!(JSON.parse(JSON.stringify(p.snapshot())))
      for (let t = 0; t < 100; t++) {
        expect(copy.plan({ id: `r${t}` }, 'a')).toEqual(p.plan({ id: `r${t}` }, 'a'))
        copy.record({ provider: 'a', task: `r${t}`, verdict: 'valid' })
        p.record({ provider: 'a', task: `r${t}`, verdict: 'valid' })
      }
    })

    it('never excludes a provider whose every answer checks out', () => {
      const p = make()
      for (let t = 0; t < 1000; t++) {
        const plan = p.plan({ id: `t${t}` }, 'honest')
        p.record({ provider: 'honest', task: `t${t}`, verdict: plan.replicas > 1 ? 'valid' : 'unchecked' })
        if (plan.canary) p.record({ provider: 'honest', task: `c${t}`, verdict: 'valid', canary: true })
      }
      expect(p.isExcluded('honest')).toBe(false)
    })

    it('excludes a provider whose every checked answer is wrong, and then refuses to plan for it', () => {
      const p = make()
      let t = 0
      for (; t < 500 && !p.isExcluded('liar'); t++) {
        const plan = p.plan({ id: `t${t}` }, 'liar')
        if (plan.replicas > 1) p.record({ provider: 'liar', task: `t${t}`, verdict: 'invalid' })
        if (plan.canary) p.record({ provider: 'liar', task: `c${t}`, verdict: 'invalid', canary: true })
      }
      expect(p.isExcluded('liar'), `not excluded after ${t} tasks`).toBe(true)
      expect(() => p.plan({ id: 'next' }, 'liar')).toThrow(ProviderExcludedError)
      expect(p.isExcluded('someone-else')).toBe(false)
    })
  })
}
