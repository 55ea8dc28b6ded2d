import { randomFillSync } from 'node:crypto'
import { InvalidPrivacyParameterError } from './errors.js'

const BATCH = 4096

/** Uniform doubles in (0, 1) with 53 random bits each, from the OS CSPRNG. */
function* uniforms(): Generator<number> {
  const words = new Uint32Array(2 * BATCH)
  for (;;) {
    randomFillSync(words)
    for (let i = 0; i < words.length; i += 2) {
      const u = ((words[i] >>> 5) * 67108864 + (words[i + 1] >>> 6) + 0.5) / 9007199254740992
      yield u
    }
  }
}

/**
 * `length` samples of N(0, std²) by the Box–Muller transform over CSPRNG uniforms. A DP release must use
 * unpredictable noise, so there is deliberately no seed.
 */
export function gaussianNoise(length: number, std: number): Float64Array {
  if (!(std >= 0) || !Number.isFinite(std))
    throw new InvalidPrivacyParameterError(`noise std must be ≥ 0, got ${std}`)
  const out = new Float64Array(length)
  const u = uniforms()
  for (let i = 0; i < length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(u.next().value as number)) * std
    const theta = 2 * Math.PI * (u.next().value as number)
    out[i] = r * Math.cos(theta)
    if (i + 1 < length) out[i + 1] = r * Math.sin(theta)
  }
  return out
}
