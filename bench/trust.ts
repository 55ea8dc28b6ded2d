// npm run bench:trust — the trust layer's policies (real code from src/verify) over simulated providers.
// Prints, per policy, the share of wrong results accepted and the verification overhead
// (extra compute ÷ useful compute), and how fast a provider cheating on 10% of its tasks is caught.
// Options: --seeds N (catch experiment, default 1000), --tasks N (mixed network, default 20000).
import '../src/polyfill.js'
import { adaptive } from '../src/verify/policy/adaptive.js'
import { combine } from '../src/verify/policy/combine.js'
import { replicate } from '../src/verify/policy/replicate.js'
import { spot } from '../src/verify/policy/spot.js'
import type { VerificationPolicy } from '../src/verify/policy/types.js'
import { overhead, type SimProvider, simulate } from '../src/verify/simulation.js'

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : def
}
const SEEDS = arg('seeds', 1000)
const TASKS = arg('tasks', 20_000)
const RUNS = 5

const honest = (n: number): SimProvider[] =>
  Array.from({ length: n }, (_, i) => ({ id: `h${i}`, behaviour: 'honest' }))
const mixed: SimProvider[] = [
  ...honest(6),
  { id: 'wrong', behaviour: 'always-wrong' },
  { id: 'cheat10', behaviour: 'cheater', cheatRate: 0.1 },
  { id: 'lazy', behaviour: 'lazy-random' },
  { id: 'col1', behaviour: 'colluder' },
  { id: 'col2', behaviour: 'colluder' },
]

const policies: [string, (seed: number) => VerificationPolicy][] = [
  ['replicate(2,2)', () => replicate(2, 2, { escalate: 1 })],
  ['replicate(3,2)', () => replicate(3, 2)],
  ['spot(5%)', (s) => spot(0.05, { seed: s })],
  ['adaptive', (s) => adaptive({ seed: s })],
  ['adaptive+canaries(2%)', (s) => combine(adaptive({ seed: s }), spot(0.02, { seed: s + 1 }))],
]

const pct = (x: number) => (Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(x < 0.01 && x > 0 ? 3 : 1)}%`)

const t0 = Date.now()
const rows: string[] = []
rows.push(
  `| policy | wrong accepted (mixed) | overhead (mixed, all) | overhead (mixed, 2nd half) | overhead (honest only, 2nd half) | tasks failed (mixed) | caught within 200 tasks (10% cheater) | median tasks to catch |`,
)
rows.push('|---|---|---|---|---|---|---|---|')
for (const [name, make] of policies) {
  let wrong = 0
  let acc = 0
  let exec = 0
  let lateExec = 0
  let lateAcc = 0
  let failed = 0
  let hLateExec = 0
  let hLateAcc = 0
  for (let r = 0; r < RUNS; r++) {
    const m = simulate({ providers: mixed, tasks: TASKS, policy: make(100 + r), seed: 200 + r })
    wrong += m.wrongAccepted
    acc += m.accepted
    exec += m.executions
    lateExec += m.late.executions
    lateAcc += m.late.accepted
    failed += m.failed
    const h = simulate({ providers: honest(10), tasks: TASKS, policy: make(300 + r), seed: 400 + r })
    hLateExec += h.late.executions
    hLateAcc += h.late.accepted
  }
  // Catch experiment: one 10% cheater among five honest providers, many seeds.
  const catches: number[] = []
  for (let seed = 0; seed < SEEDS; seed++) {
    const providers: SimProvider[] = [...honest(5), { id: 'cheat10', behaviour: 'cheater', cheatRate: 0.1 }]
    const s = simulate({
      providers,
      tasks: 100_000,
      policy: make(10_000 + seed),
      seed: 20_000 + seed,
      stopWhen: (st) => 'cheat10' in st.caughtAt || (st.tasksOf.cheat10 ?? 0) >= 200,
    })
    catches.push(s.caughtAt.cheat10 ?? Number.POSITIVE_INFINITY)
  }
  catches.sort((a, b) => a - b)
  const within = catches.filter((c) => c <= 200).length / SEEDS
  const median = catches[Math.floor(SEEDS / 2)]
  rows.push(
    `| ${name} | ${pct(wrong / acc)} | ${pct(overhead(exec, acc))} | ${pct(overhead(lateExec, lateAcc))} | ${pct(overhead(hLateExec, hLateAcc))} | ${pct(failed / (RUNS * TASKS))} | ${pct(within)} | ${Number.isFinite(median) ? median : '>200'} |`,
  )
}
process.stdout.write(
  `Mixed network: 6 honest, always-wrong, 10%-cheater, lazy-random, 2 colluders; ${TASKS} tasks × ${RUNS} seeds.\n` +
    `Honest only: 10 honest providers. Catch: 10%-cheater among 5 honest, ${SEEDS} seeds.\n\n${rows.join('\n')}\n\n` +
    `(${((Date.now() - t0) / 1000).toFixed(1)} s)\n`,
)
