// Monte-Carlo Value-at-Risk of a portfolio of correlated assets (geometric Brownian motion).
//
//   args:  <paths> <horizonDays> <confidence> <seed>        e.g. 20000 10 0.99 42
//   stdin: n, then n lines "value mu sigma" (annualised drift and volatility), then the n×n correlation
//          matrix row by row; whitespace-separated.
//   stdout: paths, VaR, expected shortfall and mean loss, in currency units rounded to cents.
//
// Deterministic: a seeded mulberry32 generator, Box-Muller normals, a Cholesky factor of the correlation
// matrix. The same inputs give the same bytes on every machine, so results verify by exact hash.
import { args, exit, print, printErr, readStdin } from '../../wasm-wasi/assembly/wasi'

let state: u32 = 0

function nextU32(): u32 {
  state += 0x6d2b79f5
  let t = state
  t = (t ^ (t >> 15)) * (t | 1)
  t ^= t + (t ^ (t >> 7)) * (t | 61)
  return t ^ (t >> 14)
}

/** Uniform in [0, 1) with 53 random bits. */
function uniform(): f64 {
  const a = nextU32() >> 5
  const b = nextU32() >> 6
  return (<f64>a * 67108864.0 + <f64>b) / 9007199254740992.0
}

function fail(message: string): void {
  printErr('error: ' + message + '\n')
  exit(2)
}

/** Formats an amount rounded to cents, e.g. -1234.5 -> "-1234.50". */
function cents(x: f64): string {
  const c = <i64>Math.round(x * 100.0)
  const neg = c < 0
  const a = neg ? -c : c
  const frac = a % 100
  return (neg ? '-' : '') + (a / 100).toString() + '.' + (frac < 10 ? '0' : '') + frac.toString()
}

export function _start(): void {
  const argv = args()
  if (argv.length !== 5) {
    fail('usage: var <paths> <horizonDays> <confidence> <seed>')
    return
  }
  const paths = I32.parseInt(argv[1])
  const days = parseFloat(argv[2])
  const confidence = parseFloat(argv[3])
  state = <u32>I64.parseInt(argv[4])
  if (paths < 100 || paths > 10_000_000) {
    fail('paths must be in 100..10000000')
    return
  }
  if (!(days > 0 && days <= 3650)) {
    fail('horizonDays must be in (0, 3650]')
    return
  }
  if (!(confidence > 0.5 && confidence < 1)) {
    fail('confidence must be in (0.5, 1)')
    return
  }

  const tokens = readStdin().replaceAll('\n', ' ').replaceAll('\r', ' ').replaceAll('\t', ' ').split(' ')
  const nums = new Array<f64>(0)
  for (let i = 0; i < tokens.length; i++) if (tokens[i].length > 0) nums.push(parseFloat(tokens[i]))
  if (nums.length < 1) {
    fail('stdin is empty')
    return
  }
  const n = <i32>nums[0]
  if (n < 1 || n > 64) {
    fail('asset count must be in 1..64')
    return
  }
  if (nums.length !== 1 + 3 * n + n * n) {
    fail('stdin must hold n, n lines of "value mu sigma", and n*n correlations')
    return
  }
  const value = new Float64Array(n)
  const drift = new Float64Array(n)
  const vol = new Float64Array(n)
  const T = days / 252.0
  for (let i = 0; i < n; i++) {
    value[i] = nums[1 + 3 * i]
    const mu = nums[2 + 3 * i]
    const sigma = nums[3 + 3 * i]
    if (!(sigma >= 0)) {
      fail('sigma must be >= 0')
      return
    }
    drift[i] = (mu - 0.5 * sigma * sigma) * T
    vol[i] = sigma * Math.sqrt(T)
  }
  // Cholesky factor L of the correlation matrix (row-major lower triangle).
  const L = new Float64Array(n * n)
  const base = 1 + 3 * n
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = nums[base + i * n + j]
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k]
      if (i === j) {
        if (!(s > 0)) {
          fail('correlation matrix is not positive definite')
          return
        }
        L[i * n + i] = Math.sqrt(s)
      } else L[i * n + j] = s / L[j * n + j]
    }
  }

  const losses = new Float64Array(paths)
  const z = new Float64Array(n)
  let spare: f64 = 0
  let hasSpare = false
  for (let p = 0; p < paths; p++) {
    for (let i = 0; i < n; i++) {
      if (hasSpare) {
        z[i] = spare
        hasSpare = false
      } else {
        const u1 = 1.0 - uniform()
        const u2 = uniform()
        const r = Math.sqrt(-2.0 * Math.log(u1))
        z[i] = r * Math.cos(2.0 * Math.PI * u2)
        spare = r * Math.sin(2.0 * Math.PI * u2)
        hasSpare = true
      }
    }
    let pnl: f64 = 0
    for (let i = 0; i < n; i++) {
      let e: f64 = 0
      for (let k = 0; k <= i; k++) e += L[i * n + k] * z[k]
      pnl += value[i] * (Math.exp(drift[i] + vol[i] * e) - 1.0)
    }
    losses[p] = -pnl
  }
  losses.sort()
  const idx = <i32>Math.floor(confidence * <f64>paths)
  let tail: f64 = 0
  for (let p = idx; p < paths; p++) tail += losses[p]
  let sum: f64 = 0
  for (let p = 0; p < paths; p++) sum += losses[p]
  print('paths=' + paths.toString() + '\n')
  print('var=' + cents(losses[idx]) + '\n')
  print('es=' + cents(tail / <f64>(paths - idx)) + '\n')
  print('mean_loss=' + cents(sum / <f64>paths) + '\n')
}
