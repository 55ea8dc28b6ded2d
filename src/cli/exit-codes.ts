/** Exit codes of the `mutirao` CLI. */
export const EXIT = {
  ok: 0,
  /** The job or operation ran and failed. */
  failed: 1,
  /** Bad usage or invalid input (job file, model, tensors, config). */
  invalidInput: 2,
  /** No running node to talk to. */
  noNode: 3,
  /** Interrupted by the user. */
  interrupted: 130,
} as const
