import { MutiraoError } from '../../errors.js'

/** A round ended without enough valid updates (or SecAgg survivors); the coordinator retries it. */
export class FlRoundFailedError extends MutiraoError {
  override name = 'FlRoundFailedError'
}

/** A job could not finish: a round failed `maxRoundAttempts` times, or too few holders joined in time. */
export class FlJobFailedError extends MutiraoError {
  override name = 'FlJobFailedError'
}

/** The coordinator refused a holder's join (unknown job, finished job). */
export class FlJoinRejectedError extends MutiraoError {
  override name = 'FlJoinRejectedError'
}

/** A holder's data file does not match the job's data schema. */
export class FlDataMismatchError extends MutiraoError {
  override name = 'FlDataMismatchError'
}

/** A data-budget payment could not be made or redeemed (no escrow, voucher for another payee or chain). */
export class FlPaymentError extends MutiraoError {
  override name = 'FlPaymentError'
}
