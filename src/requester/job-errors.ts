import { MutiraoError } from '../errors.js'

/** Why a job failed, as typed errors; their `name` is the code scripts and the SDK see. */

/** A task failed the same deterministic way on several providers: the job (its model or inputs) is at fault. */
export class JobFaultError extends MutiraoError {
  override name = 'JobFaultError'
}

/** The job's verification policy could not be carried out (no second provider) and the job did not opt out. */
export class VerificationUnavailableError extends MutiraoError {
  override name = 'VerificationUnavailableError'
}

/** Every provider that answered the demand declined it for a reason that waiting will not change. */
export class NoOffersError extends MutiraoError {
  override name = 'NoOffersError'
}

/** Fewer providers than `providers.min` took the job within its wait. */
export class NotEnoughProvidersError extends MutiraoError {
  override name = 'NotEnoughProvidersError'
}
