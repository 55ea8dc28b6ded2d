import type { Context } from 'hono'
import { InvalidInputError, MutiraoError } from '../errors.js'

/** JSON body of every API error. */
export interface ApiErrorBody {
  error: { name: string; message: string; hints: string[] }
}

/** Map an error to an HTTP response: 404 unknown job, 400 bad input, 500 otherwise. */
export function errorResponse(c: Context, err: unknown) {
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
