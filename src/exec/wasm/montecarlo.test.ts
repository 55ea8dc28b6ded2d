import { readFileSync } from 'node:fs'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'
import { afterAll, describe, expect, it } from 'vitest'
import { createWasmExecutor } from './executor.js'

const dir = new URL('../../../examples/wasm-montecarlo/', import.meta.url)
const module = new Uint8Array(readFileSync(new URL('var.wasm', dir)))
const portfolio = readFileSync(new URL('portfolio.txt', dir))
const limits = { memoryBytes: 32 * 1024 * 1024, timeMs: 20_000, outputBytes: 4096 }

/** JavaScript reference of examples/wasm-montecarlo/assembly/var.ts (same generator, same maths). */
function referenceVar(paths: number, days: number, confidence: number, seed: number, stdin: string) {
  let state = seed >>> 0
  const nextU32 = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
  const uniform = () => ((nextU32() >>> 5) * 67108864 + (nextU32() >>> 6)) / 9007199254740992
  const nums = stdin.split(/\s+/).filter(Boolean).map(Number)
  const n = nums[0]
  const T = days / 252
  const value = [...Array(n)].map((_, i) => nums[1 + 3 * i])
  const drift = [...Array(n)].map((_, i) => (nums[2 + 3 * i] - 0.5 * nums[3 + 3 * i] ** 2) * T)
  const vol = [...Array(n)].map((_, i) => nums[3 + 3 * i] * Math.sqrt(T))
  const L = new Float64Array(n * n)
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = nums[1 + 3 * n + i * n + j]
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k]
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j]
    }
  const losses = new Float64Array(paths)
  const z = new Float64Array(n)
  let spare: number | undefined
  for (let p = 0; p < paths; p++) {
    for (let i = 0; i < n; i++) {
      if (spare !== undefined) {
        z[i] = spare
        spare = undefined
      } else {
        const u1 = 1 - uniform()
        const u2 = uniform()
        const r = Math.sqrt(-2 * Math.log(u1))
        z[i] = r * Math.cos(2 * Math.PI * u2)
        spare = r * Math.sin(2 * Math.PI * u2)
      }
    }
    let pnl = 0
    for (let i = 0; i < n; i++) {
      let e = 0
      for (let k = 0; k <= i; k++) e += L[i * n + k] * z[k]
      pnl += value[i] * (Math.exp(drift[i] + vol[i] * e) - 1)
    }
    losses[p] = -pnl
  }
  losses.sort()
  const idx = Math.floor(confidence * paths)
  const mean = (a: Float64Array) => a.reduce((s, x) => s + x, 0) / a.length
  return { var: losses[idx], es: mean(losses.subarray(idx)), mean_loss: mean(losses) }
}

function parse(stdout: Uint8Array): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of new TextDecoder().decode(stdout).trim().split('\n')) {
    const [k, v] = line.split('=')
    out[k] = Number(v)
  }
  return out
}

describe('examples/wasm-montecarlo (AssemblyScript VaR) through the sandbox', () => {
  const exec = createWasmExecutor()
  afterAll(() => exec.stop())
  const args = ['20000', '10', '0.99', '42']

  it('is deterministic: the same task hashes the same twice', async () => {
    const a = await exec.run({ module, args, stdin: portfolio, limits })
    const b = await exec.run({ module, args, stdin: portfolio, limits })
    expect(a.exitCode).toBe(0)
    expect(bytesToHex(sha256(a.stdout))).toBe(bytesToHex(sha256(b.stdout)))
    const c = await exec.run({ module, args: ['20000', '10', '0.99', '43'], stdin: portfolio, limits })
    expect(c.stdout).not.toEqual(a.stdout)
  })

  it('matches the JavaScript reference implementation', async () => {
    const r = await exec.run({ module, args, stdin: portfolio, limits })
    const got = parse(r.stdout)
    const ref = referenceVar(20000, 10, 0.99, 42, portfolio.toString())
    expect(got.paths).toBe(20000)
    for (const k of ['var', 'es', 'mean_loss'] as const) {
      // Rounded to cents; AssemblyScript's and V8's libm may differ in the last ulp.
      expect(Math.abs(got[k] - ref[k])).toBeLessThanOrEqual(0.011)
    }
    // Sanity: a 10-day 99% VaR of a 1.75M portfolio of this risk is some tens of thousands.
    expect(got.var).toBeGreaterThan(20_000)
    expect(got.var).toBeLessThan(200_000)
    expect(got.es).toBeGreaterThan(got.var)
  })

  it('rejects bad parameters with exit code 2 and a message on stderr', async () => {
    const r = await exec.run({ module, args: ['5', '10', '0.99', '1'], stdin: portfolio, limits })
    expect(r.exitCode).toBe(2)
    expect(new TextDecoder().decode(r.stderr)).toContain('paths must be')
  })
})
