/**
 * Base class for every error a caller may need to handle. Modelled on viem's BaseError:
 * a short message, optional details, hints on what to do (`metaMessages`) and a cause.
 * Each condition has its own subclass with a stable `name` that tests and callers check.
 */
export interface MutiraoErrorOptions {
  details?: string
  metaMessages?: string[]
  cause?: unknown
}

export class MutiraoError extends Error {
  override name = 'MutiraoError'
  readonly shortMessage: string
  readonly details?: string
  readonly metaMessages: string[]

  constructor(shortMessage: string, options: MutiraoErrorOptions = {}) {
    const lines = [shortMessage]
    if (options.metaMessages?.length) lines.push('', ...options.metaMessages)
    if (options.details) lines.push('', `Details: ${options.details}`)
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause })
    this.shortMessage = shortMessage
    this.details = options.details
    this.metaMessages = options.metaMessages ?? []
  }
}

/** Input from a user, a file or a peer failed validation. */
export class InvalidInputError extends MutiraoError {
  override name = 'InvalidInputError'
}

/** A message from a peer exceeded its size limit. */
export class MessageTooLargeError extends MutiraoError {
  override name = 'MessageTooLargeError'
}

/** A signature did not verify against the claimed signer. */
export class BadSignatureError extends MutiraoError {
  override name = 'BadSignatureError'
}

/** An operation was cancelled through its AbortSignal or ran past its deadline. */
export class AbortedError extends MutiraoError {
  override name = 'AbortedError'
}

/**
 * The first line of what was thrown, for logs and reasons. Any value can be thrown or rejected with (an abort
 * reason, a library's plain object, `undefined`), and only an Error has a message: reading
 * `(err as Error).message.split(…)` on anything else throws a TypeError of its own, in place of the failure
 * it was reporting.
 */
export function firstLine(err: unknown): string {
  const text =
    err instanceof Error
      ? err.message
      : typeof (err as { message?: unknown })?.message === 'string'
        ? (err as { message: string }).message
        : String(err)
  return text.split('\n')[0]
}
