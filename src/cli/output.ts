import { InvalidInputError, MutiraoError } from '../errors.js'
import { NoRunningNodeError } from '../node/node-info.js'
import { ApiError, NodeStoppedError } from '../sdk/client.js'
import { EXIT } from './exit-codes.js'

/** Colour only on a TTY. */
const tty = process.stdout.isTTY && !process.env.NO_COLOR
export const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[22m` : s)
export const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[22m` : s)
export const red = (s: string) => (process.stderr.isTTY ? `\x1b[31m${s}\x1b[39m` : s)
export const green = (s: string) => (tty ? `\x1b[32m${s}\x1b[39m` : s)

/** Print a value as JSON (bigints as strings) on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`)
}

/** Print an error (as JSON with --json) and return the exit code that fits it. */
export function reportError(err: unknown, json: boolean): number {
  const e = err as Error
  const code =
    err instanceof NoRunningNodeError || err instanceof NodeStoppedError
      ? EXIT.noNode
      : err instanceof InvalidInputError ||
          (err instanceof ApiError && err.status === 400) ||
          (err instanceof ApiError && err.status === 404)
        ? EXIT.invalidInput
        : EXIT.failed
  const hints = err instanceof MutiraoError ? err.metaMessages : []
  const message = err instanceof MutiraoError ? err.shortMessage : e.message
  const name = err instanceof ApiError ? err.remoteName : e.name
  if (json) printJson({ ok: false, error: { name, message, hints } })
  else {
    process.stderr.write(`${red('error:')} ${message}\n`)
    for (const h of hints) process.stderr.write(`  ${h}\n`)
    if (!(err instanceof MutiraoError) && process.env.MUTIRAO_DEBUG) process.stderr.write(`${e.stack}\n`)
  }
  return code
}

/** Run a command body, mapping errors to exit codes. */
// biome-ignore lint/suspicious/noConfusingVoidType: bodies that print and return nothing mean exit 0
export async function runCommand(json: boolean, body: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? EXIT.ok
  } catch (err) {
    process.exitCode = reportError(err, json)
  }
}

/** Shorten a peer id for tables. */
export const shortPeer = (id: string) => (id.length > 16 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id)
