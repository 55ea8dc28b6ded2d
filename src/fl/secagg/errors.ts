import { MutiraoError } from '../../errors.js'

/** A secure-aggregation message from a peer failed validation (wrong size, unknown id, wrong round). */
export class InvalidSecAggMessageError extends MutiraoError {
  override name = 'InvalidSecAggMessageError'
}

/** A protocol step was called out of order, or twice where only once is allowed. */
export class SecAggStateError extends MutiraoError {
  override name = 'SecAggStateError'
}

/**
 * Fewer than `threshold` holders are left in a round (or fewer than `threshold` shares arrived for a secret):
 * the masks cannot be removed, so the round must be abandoned.
 */
export class TooFewSurvivorsError extends MutiraoError {
  override name = 'TooFewSurvivorsError'
}

/** An encrypted key share did not authenticate: it was tampered with or sent to the wrong holder. */
export class ShareDecryptionError extends MutiraoError {
  override name = 'ShareDecryptionError'
}

/** A secret reconstructed from shares does not match what its owner advertised: some share was wrong. */
export class ReconstructionError extends MutiraoError {
  override name = 'ReconstructionError'
}

/** A value cannot be encoded in the fixed-point ring without risking wrap-around of the sum. */
export class FixedPointRangeError extends MutiraoError {
  override name = 'FixedPointRangeError'
}
