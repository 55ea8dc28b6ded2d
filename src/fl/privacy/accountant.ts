import { z } from 'zod'
import { logger } from '../../log.js'
import { InvalidPrivacyParameterError, PrivacyBudgetExceededError } from './errors.js'
import {
  DEFAULT_ORDERS,
  type EpsilonAtOrder,
  type RdpConversion,
  rdpSubsampledGaussian,
  rdpToEpsilon,
} from './rdp.js'

const log = logger('fl:privacy')

/** The (ε, δ) a holder is willing to spend over the whole training. */
export interface PrivacyBudget {
  epsilon: number
  delta: number
}

/** One privatized release: Gaussian noise multiplier σ, sampling rate q (1 = always in), repeated `steps` times. */
export interface PrivacyStep {
  noiseMultiplier: number
  sampleRate?: number
  steps?: number
}

/** What a holder has spent so far. */
export interface PrivacySpent extends EpsilonAtOrder {
  delta: number
  rounds: number
}

/** Serialisable accountant state (persist it with the holder's training state and in the model lineage). */
export const accountantStateSchema = z.strictObject({
  budget: z.strictObject({ epsilon: z.number().positive(), delta: z.number().gt(0).lt(1) }),
  orders: z.array(z.number().gt(1)).min(1).max(1000),
  rdp: z.array(z.number().nonnegative()).min(1).max(1000),
  rounds: z.number().int().nonnegative(),
  conversion: z.enum(['standard', 'balle2020']),
})
export type AccountantState = z.infer<typeof accountantStateSchema>

/** A per-holder RDP accountant for the (subsampled) Gaussian mechanism that refuses to exceed the budget. */
export interface PrivacyAccountant {
  readonly budget: PrivacyBudget
  /** (ε, δ) spent so far. */
  spent(): PrivacySpent
  /** (ε, δ) that would be spent after `step`, without charging it. */
  preview(step: PrivacyStep): PrivacySpent
  /** Charges `step`, or throws {@link PrivacyBudgetExceededError} (and charges nothing) if it would exceed the budget. */
  charge(step: PrivacyStep): PrivacySpent
  /** A snapshot to persist; restore with {@link restorePrivacyAccountant}. */
  state(): AccountantState
}

/** Options of {@link createPrivacyAccountant}. */
export interface AccountantOptions {
  budget: PrivacyBudget
  orders?: readonly number[]
  /** RDP → (ε, δ) conversion; default 'standard' (ε = min_α RDP(α) + log(1/δ)/(α−1)). */
  conversion?: RdpConversion
}

/**
 * Creates a privacy accountant for one holder.
 *
 * @example
 * const acc = createPrivacyAccountant({ budget: { epsilon: 8, delta: 1e-5 } })
 * acc.charge({ noiseMultiplier: 1.1 }) // before sending a noised update; throws when over budget
 */
export function createPrivacyAccountant(options: AccountantOptions): PrivacyAccountant {
  const orders = [...(options.orders ?? DEFAULT_ORDERS)]
  return restorePrivacyAccountant({
    budget: options.budget,
    orders,
    rdp: orders.map(() => 0),
    rounds: 0,
    conversion: options.conversion ?? 'standard',
  })
}

/** Rebuilds an accountant from {@link PrivacyAccountant.state}, validating it. */
export function restorePrivacyAccountant(raw: AccountantState): PrivacyAccountant {
  const parsed = accountantStateSchema.safeParse(raw)
  if (!parsed.success) {
    throw new InvalidPrivacyParameterError(`invalid accountant state: ${parsed.error.issues[0].message}`, {
      details: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    })
  }
  const s = parsed.data
  if (s.orders.length !== s.rdp.length)
    throw new InvalidPrivacyParameterError('orders and rdp lengths differ')
  const budget = { ...s.budget }
  let rdp = [...s.rdp]
  let rounds = s.rounds

  const summarise = (values: number[], n: number): PrivacySpent => ({
    ...rdpToEpsilon(s.orders, values, budget.delta, s.conversion),
    delta: budget.delta,
    rounds: n,
  })
  const after = (step: PrivacyStep): [number[], number] => {
    const steps = step.steps ?? 1
    if (!Number.isInteger(steps) || steps < 1)
      throw new InvalidPrivacyParameterError(`steps must be a positive integer, got ${steps}`)
    const q = step.sampleRate ?? 1
    return [
      s.orders.map((a, i) => rdp[i] + steps * rdpSubsampledGaussian(q, step.noiseMultiplier, a)),
      rounds + steps,
    ]
  }

  return {
    budget,
    spent: () =>
      rounds === 0 ? { epsilon: 0, order: Number.NaN, delta: budget.delta, rounds } : summarise(rdp, rounds),
    preview: (step) => summarise(...after(step)),
    charge(step) {
      const [next, n] = after(step)
      const result = summarise(next, n)
      if (result.epsilon > budget.epsilon) {
        throw new PrivacyBudgetExceededError(
          `round would spend ε = ${result.epsilon.toFixed(3)} (δ = ${budget.delta}), over the budget ε = ${budget.epsilon}`,
          {
            details: `spent so far ε = ${rounds === 0 ? 0 : summarise(rdp, rounds).epsilon.toFixed(3)} over ${rounds} rounds`,
            metaMessages: [
              'Stop contributing to this training, raise the noise multiplier, or set a larger budget.',
            ],
          },
        )
      }
      rdp = next
      rounds = n
      log.debug({ epsilon: result.epsilon, rounds }, 'privacy charged')
      return result
    },
    state: () => ({
      budget: { ...budget },
      orders: [...s.orders],
      rdp: [...rdp],
      rounds,
      conversion: s.conversion,
    }),
  }
}
