import type { VerificationPolicy } from './policy/types.js'
import { decideQuorum } from './quorum.js'
import { createRng } from './random.js'

/**
 * How a simulated provider behaves: `honest`; `always-wrong` (its own wrong answer every time);
 * `cheater` (wrong on a fraction `cheatRate` of tasks, default 0.1); `lazy-random` (random output, never
 * computes); `colluder` (all colluders return the same wrong answer for a task).
 */
export type Behaviour = 'honest' | 'always-wrong' | 'cheater' | 'lazy-random' | 'colluder'

/** A simulated provider. */
export interface SimProvider {
  id: string
  behaviour: Behaviour
  cheatRate?: number
}

/** Options of {@link simulate}. */
export interface SimOptions {
  providers: SimProvider[]
  tasks: number
  /** The policy under test (real code); it is mutated. */
  policy: VerificationPolicy
  seed: number
  /** Stop early (checked after every task). */
  stopWhen?: (s: SimStats) => boolean
}

/** What a simulation measured. */
export interface SimStats {
  tasks: number
  accepted: number
  wrongAccepted: number
  /** Tasks that ended without quorum or without eligible providers. */
  failed: number
  /** Executions of real tasks (all replicas) plus canaries. */
  executions: number
  canaries: number
  /** Executions and acceptances in the second half of the run (steady state). */
  late: { executions: number; accepted: number }
  /** Real-task executions per provider. */
  tasksOf: Record<string, number>
  /** For each provider ever judged invalid: its real-task count when that first happened. */
  caughtAt: Record<string, number>
}

/** Extra compute ÷ useful compute: (executions − accepted) / accepted. */
export function overhead(executions: number, accepted: number): number {
  return accepted === 0 ? Number.NaN : (executions - accepted) / accepted
}

/**
 * Runs the real policy and quorum code over simulated providers. Each task goes to a random eligible
 * provider; the policy's plan decides replicas (on other random providers, added one by one while the
 * quorum is pending) and canaries; verdicts go back to the policy.
 */
export function simulate(opts: SimOptions): SimStats {
  const rng = createRng(opts.seed)
  const byId = new Map(opts.providers.map((p) => [p.id, p]))
  const s: SimStats = {
    tasks: 0,
    accepted: 0,
    wrongAccepted: 0,
    failed: 0,
    executions: 0,
    canaries: 0,
    late: { executions: 0, accepted: 0 },
    tasksOf: {},
    caughtAt: {},
  }
  const answer = (id: string, task: string): string => {
    const p = byId.get(id) as SimProvider
    switch (p.behaviour) {
      case 'honest':
        return `ok:${task}`
      case 'always-wrong':
        return `wrong:${id}:${task}`
      case 'cheater':
        return rng.next() < (p.cheatRate ?? 0.1) ? `wrong:${id}:${task}` : `ok:${task}`
      case 'lazy-random':
        return `rand:${rng.next()}`
      case 'colluder':
        return `collude:${task}`
    }
  }
  const pick = (from: string[]) => from[Math.floor(rng.next() * from.length)]
  const judge = (provider: string, verdict: 'valid' | 'invalid', task: string, canary = false) => {
    if (verdict === 'invalid' && !(provider in s.caughtAt)) s.caughtAt[provider] = s.tasksOf[provider] ?? 0
    opts.policy.record({ provider, task, verdict, canary })
  }

  for (let t = 0; t < opts.tasks; t++) {
    const late = t >= opts.tasks / 2
    const exec0 = s.executions
    const task = `t${t}`
    s.tasks++
    const eligible = opts.providers.map((p) => p.id).filter((id) => !opts.policy.isExcluded(id))
    if (eligible.length === 0) {
      s.failed++
      continue
    }
    const primary = pick(eligible)
    const plan = opts.policy.plan({ id: task }, primary)
    const used = [primary]
    const run = (id: string) => {
      s.executions++
      s.tasksOf[id] = (s.tasksOf[id] ?? 0) + 1
      return { provider: id, output: answer(id, task) }
    }
    const results = [run(primary)]
    const more = () => {
      const rest = eligible.filter((id) => !used.includes(id))
      if (rest.length === 0) return false
      const id = pick(rest)
      used.push(id)
      results.push(run(id))
      return true
    }
    while (results.length < plan.replicas && more()) {}
    let d = decideQuorum(results, {
      quorum: plan.quorum,
      maxReplicas: plan.maxReplicas,
      equal: (a, b) => a === b,
    })
    while (d.status === 'pending' && more()) {
      d = decideQuorum(results, {
        quorum: plan.quorum,
        maxReplicas: plan.maxReplicas,
        equal: (a, b) => a === b,
      })
    }
    if (d.status === 'accepted') {
      s.accepted++
      if (late) s.late.accepted++
      if (d.output !== `ok:${task}`) s.wrongAccepted++
      if (results.length === 1) opts.policy.record({ provider: primary, task, verdict: 'unchecked' })
      else {
        for (const p of d.agreeing) judge(p, 'valid', task)
        for (const p of d.outvoted) judge(p, 'invalid', task)
      }
    } else s.failed++
    if (plan.canary) {
      const canary = `c${t}`
      s.executions++
      s.canaries++
      judge(primary, answer(primary, canary) === `ok:${canary}` ? 'valid' : 'invalid', canary, true)
    }
    if (late) s.late.executions += s.executions - exec0
    if (opts.stopWhen?.(s)) break
  }
  return s
}
