import { InvalidInputError } from '../errors.js'
import type { TaskExecutor } from '../exec/task-executor.js'
import type { JobKind } from '../protocols/market-messages.js'

/** A task of a kind this provider does not run reached the executor (the agreement should have been refused). */
export class UnsupportedKindError extends InvalidInputError {
  override name = 'UnsupportedKindError'
}

/**
 * One executor that hands each task to the executor of its agreement's kind (absent = `onnx-inference`).
 * @throws UnsupportedKindError for a kind with no executor.
 */
export function dispatchByKind(executors: Partial<Record<JobKind, TaskExecutor>>): TaskExecutor {
  return {
    async run(request) {
      const kind = request.kind ?? 'onnx-inference'
      const executor = executors[kind]
      if (!executor) throw new UnsupportedKindError(`This provider does not run ${kind} jobs`)
      return executor.run(request)
    },
    placement: (modelHash) => executors['onnx-inference']?.placement?.(modelHash),
  }
}
