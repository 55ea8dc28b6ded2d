import { MutiraoError } from '../../errors.js'

/** A round would push a holder's spent (ε, δ) beyond the budget the holder set; the round was not charged. */
export class PrivacyBudgetExceededError extends MutiraoError {
  override name = 'PrivacyBudgetExceededError'
}

/** A privacy parameter (clip norm, noise multiplier, sampling rate, ε, δ, order) is out of its valid range. */
export class InvalidPrivacyParameterError extends MutiraoError {
  override name = 'InvalidPrivacyParameterError'
}
