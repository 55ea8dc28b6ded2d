import { decodeTensors } from '../exec/tensor-codec.js'
import {
  adaptive,
  type ComparisonSpec,
  combine,
  compareTensors,
  replicate,
  spot,
  type TrustPrior,
  type VerificationPolicy,
} from '../verify/index.js'
import type { JobSpec, VerificationSpec } from './job-spec.js'

/** Canaries per real task under `spot` / `adaptive+spot` when the spec gives no `canaryRate`. */
export const DEFAULT_CANARY_RATE = 0.02

/**
 * The policy a job's `verification` spec asks for, or undefined for `none` (the unverified fast path).
 * Defaults: `replicate` k = 3, quorum = 2 (one tie-breaker beyond k); canary rate 2%. The adaptive policies
 * start each provider from `prior` (the requester's trust from earlier jobs) when given.
 */
export function policyFor(v: VerificationSpec, prior?: TrustPrior): VerificationPolicy | undefined {
  const rate = v.canaryRate ?? DEFAULT_CANARY_RATE
  switch (v.policy) {
    case 'none':
      return undefined
    case 'replicate': {
      const k = v.k ?? 3
      const q = v.quorum ?? Math.min(k, 2)
      if (q > k) throw new RangeError(`verification quorum ${q} exceeds k ${k}`)
      return replicate(k, q, { escalate: 1 })
    }
    case 'adaptive':
      return v.canaryRate ? combine(adaptive({ prior }), spot(v.canaryRate)) : adaptive({ prior })
    case 'spot':
      return spot(rate)
    case 'adaptive+spot':
      return combine(adaptive({ prior }), spot(rate))
  }
}

/**
 * Distinct providers one shard may need for its checks: `replicate` k, the adaptive policies 2 (an untrusted
 * provider's result is checked by a second one), `none` and `spot` (canaries are computed locally) 1.
 */
export function providersPerShard(v: VerificationSpec): number {
  switch (v.policy) {
    case 'none':
    case 'spot':
      return 1
    case 'replicate':
      return v.k ?? 3
    default:
      return 2
  }
}

/**
 * How many times the units of a job its escrow must cover: every task may run on up to this many
 * providers, and each agreeing one is paid. What is not used is reclaimed after the job.
 */
export function budgetFactor(v: VerificationSpec): number {
  const canaries = v.policy === 'spot' || v.policy === 'adaptive+spot' || v.canaryRate ? 1 : 0
  switch (v.policy) {
    case 'none':
      return 1
    case 'replicate':
      return (v.k ?? 3) + 1
    case 'spot':
      return 1 + canaries
    default:
      return 3 + canaries
  }
}

/**
 * Equality of two encoded tensor results under the job's comparison: identical hashes are equal;
 * otherwise floats within tolerance (defaults from DEFAULT_TOLERANCE, overridden by `tolerance`) and
 * everything else byte-exact. Undecodable bytes are equal to nothing.
 */
export function tensorEquality(tolerance?: VerificationSpec['tolerance']) {
  const spec: ComparisonSpec = { mode: 'tolerance', default: tolerance }
  const cache = new WeakMap<Uint8Array, ReturnType<typeof decodeTensors> | null>()
  const decode = (b: Uint8Array) => {
    if (!cache.has(b)) {
      try {
        cache.set(b, decodeTensors(b))
      } catch {
        cache.set(b, null)
      }
    }
    return cache.get(b) ?? null
  }
  return (a: { hash: string; body: Uint8Array }, b: { hash: string; body: Uint8Array }): boolean => {
    if (a.hash === b.hash) return true
    const x = decode(a.body)
    const y = decode(b.body)
    return x !== null && y !== null && compareTensors(x, y, spec).equal
  }
}

/**
 * How a job's results are compared: `wasm` results are byte-deterministic, so only an identical hash
 * (`exact` mode) is equal; ONNX results by {@link tensorEquality} with the spec's tolerance.
 */
export function resultEquality(spec: Pick<JobSpec, 'kind' | 'verification'>) {
  if (spec.kind === 'wasm') return (a: { hash: string }, b: { hash: string }): boolean => a.hash === b.hash
  return tensorEquality(spec.verification?.tolerance)
}
