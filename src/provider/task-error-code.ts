import { InvalidInputError, MutiraoError } from '../errors.js'
import { DeadlineExceededError, InferenceError } from '../exec/errors.js'
import type { TaskErrorCode } from '../protocols/task-messages.js'

/** Sandbox limits and traps (src/exec/wasm/errors.ts), by their stable names: wasm-task re-throws them per run. */
const SANDBOX_LIMITS = new Set([
  'WasmTimeoutError',
  'WasmMemoryLimitError',
  'WasmOutputLimitError',
  'WasmTrapError',
])

/** Longest error message sent to a requester (the wire allows 1,000 characters). */
const MAX_WIRE_MESSAGE = 900

/**
 * The wire code of an error thrown while running a task: the one place where typed errors become codes
 * (src/protocols/task-messages.ts says what each code means). `aborted`: the task's signal fired.
 */
export function taskErrorCode(err: unknown, aborted = false): TaskErrorCode {
  const name = (err as Error | undefined)?.name ?? ''
  if (err instanceof InvalidInputError || (err as { code?: string })?.code === 'invalid-input')
    return 'invalid-input'
  if (err instanceof InferenceError) return 'model-failed'
  if (SANDBOX_LIMITS.has(name)) return 'sandbox-limit'
  if (err instanceof DeadlineExceededError || aborted) return 'deadline'
  return 'failed'
}

/**
 * The message sent with a task error: the error's own short message and, for typed errors, its details
 * (onnxruntime's own message travels in `details`), on one line, at most 900 characters.
 */
export function taskErrorMessage(err: unknown): string {
  const e = err as Error
  const text =
    e instanceof MutiraoError
      ? e.details
        ? `${e.name}: ${e.shortMessage}: ${e.details}`
        : `${e.name}: ${e.shortMessage}`
      : (e?.message ?? String(err))
  return text.replace(/\s*\n\s*/g, ' ').slice(0, MAX_WIRE_MESSAGE)
}
