import { AbortedError, InvalidInputError, MutiraoError } from '../errors.js'

/** Tensor bytes or a tensor map failed validation (bad header, byte count, dtype, dims or limits). */
export class InvalidTensorError extends InvalidInputError {
  override name = 'InvalidTensorError'
}

/** Bytes that should be an ONNX model are not one (or use what Mutirão does not support). */
export class InvalidModelError extends InvalidInputError {
  override name = 'InvalidModelError'
}

/** Inputs given to a model do not match its declared inputs (name, dtype, rank or a fixed dim). */
export class InputMismatchError extends InvalidInputError {
  override name = 'InputMismatchError'
}

/** onnxruntime failed to load a model or run it. */
export class InferenceError extends MutiraoError {
  override name = 'InferenceError'
}

/** A worker thread of the executor crashed or exited while running a task. */
export class WorkerCrashedError extends MutiraoError {
  override name = 'WorkerCrashedError'
}

/** The model's outputs exceed the executor's `maxOutputBytes`. */
export class OutputTooLargeError extends MutiraoError {
  override name = 'OutputTooLargeError'
}

/** The executor was stopped; it accepts no more tasks. */
export class ExecutorStoppedError extends MutiraoError {
  override name = 'ExecutorStoppedError'
}

/** A task's deadline passed before it finished (or before it started, in which case it never ran). */
export class DeadlineExceededError extends AbortedError {
  override name = 'DeadlineExceededError'
}

/** `getModel` failed or returned bytes whose sha256 is not the requested hash. */
export class ModelUnavailableError extends MutiraoError {
  override name = 'ModelUnavailableError'
}
