/**
 * Differential privacy for federated updates: L2 clipping, Gaussian noise, and a per-holder RDP accountant
 * that converts to (ε, δ) and refuses rounds beyond the holder's budget.
 */
export {
  type AccountantOptions,
  type AccountantState,
  accountantStateSchema,
  createPrivacyAccountant,
  type PrivacyAccountant,
  type PrivacyBudget,
  type PrivacySpent,
  type PrivacyStep,
  restorePrivacyAccountant,
} from './accountant.js'
export { type Clipped, clipL2, l2Norm } from './clip.js'
export { InvalidPrivacyParameterError, PrivacyBudgetExceededError } from './errors.js'
export { gaussianNoise } from './gaussian.js'
export { type GaussianMechanism, type PrivatizedUpdate, privatizeUpdate } from './privatize.js'
export {
  DEFAULT_ORDERS,
  type EpsilonAtOrder,
  type RdpConversion,
  rdpGaussian,
  rdpSubsampledGaussian,
  rdpToEpsilon,
} from './rdp.js'
