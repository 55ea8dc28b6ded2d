import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { InvalidInputError, MutiraoError } from '../errors.js'

/** JSON body of every API error. */
export interface ApiErrorBody {
  error: { name: string; message: string; hints: string[] }
}

/**
 * Map an error to an HTTP response: 404 unknown job, 400 bad input, Hono's own status for its exceptions (413
 * from a body limit), 500 otherwise.
 */
export function errorResponse(c: Context, err: unknown) {
  if (err instanceof HTTPException) {
    const tooLarge = err.status === 413
    const body: ApiErrorBody = {
      error: {
        name: tooLarge ? 'PayloadTooLarge' : 'HttpError',
        message: tooLarge ? 'request body too large for this endpoint' : err.message || `HTTP ${err.status}`,
        hints: tooLarge
          ? ['Send less: job specs, policy changes and ledger requests are small JSON objects.']
          : [],
      },
    }
    return c.json(body, err.status)
  }
  const e = err as Error
  const status = e.name === 'JobNotFoundError' ? 404 : err instanceof InvalidInputError ? 400 : 500
  const body: ApiErrorBody = {
    error: {
      name: e.name,
      message: err instanceof MutiraoError ? err.shortMessage : e.message,
      hints: err instanceof MutiraoError ? err.metaMessages : [],
    },
  }
  return c.json(body, status)
}
